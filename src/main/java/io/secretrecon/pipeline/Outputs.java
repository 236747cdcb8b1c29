package io.secretrecon.pipeline;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.event.DeadLetter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sink registry: which {@link Output} class serves each {@link OutputType}, and the wiring of
 * the topology's two streams to the outputs the settings choose. Alerts that an output refuses
 * for good join the dead letters before the dead-letter output, so nothing is lost silently.
 */
public final class Outputs {

    private Outputs() {}

    /** The class that serves one output type. */
    static Output of(OutputType type) {
        switch (type) {
            case STDOUT:
                return new StdoutOutput();
            case FILE:
                return new FileOutput();
            case KAFKA:
                return new KafkaOutput();
            case ELASTICSEARCH:
                return new ElasticsearchOutput();
            default:
                throw new IllegalArgumentException("no output for " + type);
        }
    }

    /** Gets every output the settings choose ready to be written to ({@link Output#prepare}). */
    public static void prepare(JobSettings settings) {
        for (OutputType type : settings.sinkTypes()) {
            of(type).prepare(settings);
        }
        of(settings.deadLetterType()).prepare(settings);
    }

    /**
     * Attaches {@code sink.type}'s alert outputs and {@code dead-letter.type}'s dead-letter output.
     *
     * @throws io.secretrecon.config.ConfigException if an output cannot work with the
     *     environment's Flink options
     */
    public static void attach(StreamExecutionEnvironment env, SecretReconPipeline.Streams streams, JobSettings settings) {
        for (OutputType type : settings.sinkTypes()) {
            of(type).check(env, settings);
        }
        Output deadLetterOutput = of(settings.deadLetterType());
        deadLetterOutput.check(env, settings);

        DataStream<DeadLetter> deadLetters = streams.deadLetters();
        for (OutputType type : settings.sinkTypes()) {
            DataStream<DeadLetter> refused = of(type).attachAlerts(streams.alerts(), settings);
            if (refused != null) {
                deadLetters = deadLetters.union(refused);
            }
        }
        deadLetterOutput.attachDeadLetters(deadLetters, settings);
    }
}
