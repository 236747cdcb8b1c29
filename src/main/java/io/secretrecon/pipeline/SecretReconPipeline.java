package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.config.JobSettings;
import io.secretrecon.detect.InputOrder;
import io.secretrecon.detect.SecretBurstDetector;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The topology, and the one seam between production and tests: it takes any source of
 * {@link ParsedRecord}s and returns the alert and dead-letter streams, to which the caller
 * attaches sinks. {@code SecretReconJob} passes Kafka or file sources and real sinks; tests pass
 * bounded sources and collecting sinks and run this very topology.
 *
 * <pre>
 * source (parse) --watermarks--> secret-get-filter --keyBy(fingerprint)--> secret-burst-detector --> alerts
 *                                       '--> dead letters (malformed)            '--> dead letters (late)
 * </pre>
 *
 * Watermarks are assigned at the source, per split or partition, from every well-formed record,
 * before the rule's filter: event time advances with the whole stream.
 *
 * <p>With {@code rule.exceptions-topic} or {@code rule.exceptions-file}, a control stream of rule
 * exceptions (outside event time) is broadcast to the filter ({@link SecretGetFilterWithExceptions}).
 */
public final class SecretReconPipeline {

    private SecretReconPipeline() {}

    /** The topology's two outputs, before any sink. */
    public static final class Streams {
        private final DataStream<Alert> alerts;
        private final DataStream<DeadLetter> deadLetters;

        Streams(DataStream<Alert> alerts, DataStream<DeadLetter> deadLetters) {
            this.alerts = alerts;
            this.deadLetters = deadLetters;
        }

        public DataStream<Alert> alerts() {
            return alerts;
        }

        public DataStream<DeadLetter> deadLetters() {
            return deadLetters;
        }
    }

    /**
     * The whole job: the source the settings describe, the topology, and the outputs the settings
     * choose ({@link Outputs}).
     *
     * @throws io.secretrecon.config.ConfigException if the settings cannot work (a missing input
     *     path, exactly-once output without checkpointing, ...)
     */
    public static void buildJob(StreamExecutionEnvironment env, JobSettings settings) {
        buildJob(env, settings, Sources.of(settings));
    }

    /** Like {@link #buildJob(StreamExecutionEnvironment, JobSettings)} with another source (tests inject faults). */
    public static void buildJob(StreamExecutionEnvironment env, JobSettings settings, Source<ParsedRecord, ?, ?> source) {
        Outputs.attach(env, build(env, source, settings), settings);
    }

    /** The topology between a source and the sinks: the seam that tests run with their own source and sinks. */
    public static Streams build(StreamExecutionEnvironment env, Source<ParsedRecord, ?, ?> source, JobSettings settings) {
        InputOrder order = InputOrder.of(env.getConfiguration(), source.getBoundedness() == Boundedness.BOUNDED);
        FutureEvents futureEvents = order == InputOrder.SORTED_PER_KEY
                ? FutureEvents.OFF
                : FutureEvents.beyond(settings.maxFutureSkew());
        WatermarkStrategy<ParsedRecord> watermarks = futureEvents.watermarks(settings.outOfOrderness(), settings.idleness());

        DataStream<ParsedRecord> records = env
                .fromSource(source, watermarks, Operators.SOURCE_NAME, TypeInformation.of(ParsedRecord.class))
                .uid(Operators.SOURCE_UID);

        SingleOutputStreamOperator<SecretGet> kept = filter(env, records, settings, futureEvents)
                .uid(Operators.FILTER_UID)
                .name(Operators.FILTER_NAME);

        SingleOutputStreamOperator<Alert> alerts = kept
                .keyBy(SecretGet::fingerprint, order == InputOrder.SORTED_PER_KEY
                        ? FingerprintSortKey.TYPE
                        : TypeInformation.of(Fingerprint.class))
                .process(new SecretBurstDetector(settings.detector(), order, OutputTags.DEAD_LETTERS),
                        TypeInformation.of(Alert.class))
                .uid(Operators.DETECTOR_UID)
                .name(Operators.DETECTOR_NAME);

        DataStream<DeadLetter> deadLetters = kept.getSideOutput(OutputTags.DEAD_LETTERS)
                .union(alerts.getSideOutput(OutputTags.DEAD_LETTERS));
        return new Streams(alerts, deadLetters);
    }

    /**
     * The rule filter: a plain function, or, with a source of rule exceptions, one connected to
     * the broadcast control stream. Without exceptions the job graph is the one it always was.
     */
    private static SingleOutputStreamOperator<SecretGet> filter(StreamExecutionEnvironment env,
            DataStream<ParsedRecord> records, JobSettings settings, FutureEvents futureEvents) {
        DataStream<ExceptionRecord> control = ExceptionSources.of(env, settings);
        if (control == null) {
            return records.process(new SecretGetFilter(settings.rule(), settings.quietProfile(), futureEvents),
                    SecretGetWire.TYPE);
        }
        return records.connect(control.broadcast(SecretGetFilterWithExceptions.EXCEPTIONS)).process(
                new SecretGetFilterWithExceptions(settings.rule(), settings.quietProfile(), settings.exceptionsMax(),
                        futureEvents),
                SecretGetWire.TYPE);
    }
}
