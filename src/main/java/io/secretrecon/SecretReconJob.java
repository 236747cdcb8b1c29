package io.secretrecon;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.RawSettings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.pipeline.Outputs;
import io.secretrecon.pipeline.SecretReconPipeline;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * secret-recon's entry point on a Flink cluster: reads the settings ({@code --config <file>} plus
 * {@code --key value} overrides), builds the job ({@link SecretReconPipeline#buildJob}) and runs
 * it. A bad configuration stops here, before anything is submitted, with a
 * {@link ConfigException} naming the key. It never exits the JVM: submitted through Flink's REST
 * API, {@code main} runs inside the JobManager of a shared session cluster.
 */
public final class SecretReconJob {

    public static final String JOB_NAME = "secret-recon";

    private SecretReconJob() {}

    public static void main(String[] args) throws Exception {
        JobSettings settings = loadSettings(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(settings));
        build(env, settings);
        Outputs.prepare(settings);
        env.execute(JOB_NAME);
    }

    /**
     * Parses {@code --config <file>} and the {@code --key value} overrides. No file is read unless
     * {@code --config} names it: a job's settings never depend on the working directory.
     */
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
            Path p = Path.of(configFile);
            if (!Files.isRegularFile(p)) {
                throw ConfigException.forKey("config", "settings file " + configFile + " does not exist");
            }
            raw.loadYaml(p);
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
     * Builds the job's real source and outputs around the topology.
     *
     * @throws ConfigException if the settings cannot work with the environment's Flink options
     */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        SecretReconPipeline.buildJob(env, settings);
    }

    /** Like {@link #build(StreamExecutionEnvironment, JobSettings)} with another source (tests inject faults). */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, Source<ParsedRecord, ?, ?> source) {
        SecretReconPipeline.buildJob(env, settings, source);
    }
}
