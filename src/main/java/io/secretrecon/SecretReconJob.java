package io.secretrecon;

import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.RawSettings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.io.AuditFileFormat;
import io.secretrecon.io.DeadLetterJson;
import io.secretrecon.io.KafkaIo;
import io.secretrecon.io.LineSink;
import io.secretrecon.pipeline.Operators;
import io.secretrecon.pipeline.SecretReconPipeline;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * secret-recon's entry point on a Flink cluster: reads the settings ({@code --config <file>} plus
 * {@code --key value} overrides), builds the real sources and sinks around
 * {@link SecretReconPipeline} and runs it. A bad configuration stops here with a message naming
 * the key, before anything is submitted.
 */
public final class SecretReconJob {

    public static final String JOB_NAME = "secret-recon";
    /** Settings file read when no {@code --config} is given, if it exists. */
    public static final String DEFAULT_SETTINGS_FILE = "flink-conf/secret-recon.yaml";

    private SecretReconJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env;
        try {
            JobSettings settings = loadSettings(args);
            env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(settings));
            build(env, settings);
        } catch (ConfigException e) {
            System.err.println("secret-recon: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        env.execute(JOB_NAME);
    }

    /** Parses {@code --config <file>} (or the default file) and the {@code --key value} overrides. */
    public static JobSettings loadSettings(String[] args) {
        List<String> rest = new ArrayList<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length) {
                    throw ConfigException.forKey("config", "missing file after --config");
                }
                configFile = args[++i];
            } else {
                rest.add(args[i]);
            }
        }
        RawSettings raw = new RawSettings();
        if (configFile != null) {
            java.nio.file.Path p = java.nio.file.Path.of(configFile);
            if (!Files.isRegularFile(p)) {
                throw ConfigException.forKey("config", "settings file " + configFile + " does not exist");
            }
            raw.loadYaml(p);
        } else if (Files.isRegularFile(java.nio.file.Path.of(DEFAULT_SETTINGS_FILE))) {
            raw.loadYaml(java.nio.file.Path.of(DEFAULT_SETTINGS_FILE));
        }
        raw.applyArguments(rest.toArray(new String[0]));
        return JobSettings.from(raw);
    }

    /**
     * The Flink options the job relies on, then the user's {@code --flink.*} options. A bounded
     * input runs in BATCH mode (AUTOMATIC): records sorted by key and time, so the result cannot
     * depend on the order in which files or partitions are read.
     */
    public static Configuration jobConfiguration(JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.AUTOMATIC);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.NAME, JOB_NAME);
        settings.flinkOptions().forEach(conf::setString);
        return conf;
    }

    /**
     * Builds the job's real sources and sinks around the pipeline.
     *
     * @throws ConfigException if the settings cannot work with the environment's Flink options
     */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        build(env, settings, source(settings));
    }

    /** Like {@link #build(StreamExecutionEnvironment, JobSettings)} with another source (tests inject faults). */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, Source<ParsedRecord, ?, ?> source) {
        checkExactlyOnce(env, settings);
        SecretReconPipeline.Outputs out = SecretReconPipeline.build(env, source, settings);

        for (JobSettings.SinkType type : settings.sinkTypes()) {
            String label = type.name().toLowerCase(Locale.ROOT);
            String uid = Operators.ALERT_SINK_UID_PREFIX + label + "-sink";
            if (type == JobSettings.SinkType.KAFKA) {
                out.alerts().sinkTo(KafkaIo.alertSink(settings.kafka())).uid(uid)
                        .name("Alerts to Kafka topic " + settings.kafka().alertsTopic());
                continue;
            }
            LineSink sink = type == JobSettings.SinkType.FILE ? LineSink.toFile(settings.sinkPath()) : LineSink.toStdout();
            out.alerts()
                    .map(AlertJson::toJson, Types.STRING).uid("alert-json-" + label).name("Alert JSON (" + label + ")")
                    .sinkTo(sink).uid(uid).name("Alerts to " + sink.describe())
                    .setParallelism(1);
        }
        String deadLetterUid = Operators.DEAD_LETTER_SINK_UID_PREFIX
                + settings.deadLetterType().name().toLowerCase(Locale.ROOT) + "-sink";
        if (settings.deadLetterType() == JobSettings.DeadLetterType.KAFKA) {
            out.deadLetters().sinkTo(KafkaIo.deadLetterSink(settings.kafka())).uid(deadLetterUid)
                    .name("Dead letters to Kafka topic " + settings.kafka().deadLetterTopic());
            return;
        }
        LineSink deadLetterSink = settings.deadLetterType() == JobSettings.DeadLetterType.FILE
                ? LineSink.toFile(settings.deadLetterPath())
                : LineSink.toStdout();
        out.deadLetters()
                .map(DeadLetterJson::toJson, Types.STRING).uid("dead-letter-json").name("Dead-letter JSON")
                .sinkTo(deadLetterSink).uid(deadLetterUid).name("Dead letters to " + deadLetterSink.describe())
                .setParallelism(1);
    }

    /** The source the settings describe. */
    public static Source<ParsedRecord, ?, ?> source(JobSettings settings) {
        if (settings.sourceType() == JobSettings.SourceType.KAFKA) {
            return KafkaIo.source(settings.kafka(), settings.maxRecordBytes());
        }
        List<Path> paths = settings.sourcePaths().stream().map(Path::new).collect(java.util.stream.Collectors.toList());
        for (Path p : paths) {
            boolean local = p.toUri().getScheme() == null || "file".equals(p.toUri().getScheme());
            if (local && !Files.exists(java.nio.file.Path.of(p.toUri().getPath()))) {
                throw ConfigException.forKey("source.path", p + " does not exist");
            }
        }
        return AuditFileFormat.source(paths, settings.maxRecordBytes());
    }

    /**
     * Exactly-once Kafka output commits with checkpoints: a streaming run needs checkpointing, and
     * a transaction must outlive the checkpoint interval or it is aborted before it commits.
     * (A bounded input runs in BATCH mode and commits once at the end.)
     */
    static void checkExactlyOnce(StreamExecutionEnvironment env, JobSettings settings) {
        boolean kafkaOut = settings.sinkTypes().contains(JobSettings.SinkType.KAFKA)
                || settings.deadLetterType() == JobSettings.DeadLetterType.KAFKA;
        RuntimeExecutionMode mode = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
        boolean batch = mode == RuntimeExecutionMode.BATCH
                || (mode == RuntimeExecutionMode.AUTOMATIC && settings.boundedInput());
        if (!kafkaOut || batch) {
            return;
        }
        long interval = env.getCheckpointConfig().getCheckpointInterval();
        if (interval <= 0) {
            throw ConfigException.forKey("flink.execution.checkpointing.interval",
                    "exactly-once Kafka output needs checkpointing: set execution.checkpointing.interval in "
                            + "flink-conf/config.yaml or pass --flink.execution.checkpointing.interval 30s");
        }
        long timeout = settings.kafka().transactionTimeout().toMillis();
        if (timeout <= interval) {
            throw ConfigException.forKey("kafka.transaction-timeout", "(" + settings.kafka().transactionTimeout().toMillis() + " ms"
                    + ") must be longer than the checkpoint interval (" + interval + " ms) plus the time a recovery "
                    + "takes, or transactions are aborted before their checkpoint commits them");
        }
    }
}
