package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.config.Settings;
import io.secretrecon.detect.InputOrder;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.io.KafkaIo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code kafka}: alerts to {@code kafka.alerts-topic} (key = alert id), dead letters to
 * {@code kafka.dead-letter-topic} ({@link KafkaIo}).
 *
 * <p>A streaming run writes exactly once, in transactions that Flink's checkpoints commit. A
 * bounded replay runs in BATCH mode, where there are no checkpoints: exactly-once would hold one
 * transaction open for the whole run, and the broker aborts it, with every alert in it, once the
 * run is longer than {@code kafka.transaction-timeout}. So a replay writes at least once, with an
 * idempotent producer: each alert exactly once, unless a task fails and its part of the replay runs
 * again, which repeats those alerts with the same key (the alert id), at the same revision.
 */
final class KafkaOutput implements Output {

    /**
     * A streaming run needs checkpointing, and a transaction must outlive the checkpoint interval
     * plus the checkpoint time-out, or it can be aborted before its checkpoint commits it.
     */
    @Override
    public void check(StreamExecutionEnvironment env, JobSettings settings) {
        if (batch(env, settings)) {
            return;
        }
        long interval = env.getCheckpointConfig().getCheckpointInterval();
        if (interval <= 0) {
            throw ConfigException.forKey("flink.execution.checkpointing.interval",
                    "exactly-once Kafka output needs checkpointing: set execution.checkpointing.interval in "
                            + "flink-conf/config.yaml or pass --flink.execution.checkpointing.interval 30s");
        }
        long checkpointTimeout = env.getCheckpointConfig().getCheckpointTimeout();
        long timeout = settings.kafka().transactionTimeout().toMillis();
        if (timeout <= interval + checkpointTimeout) {
            throw ConfigException.forKey(Settings.KAFKA_TRANSACTION_TIMEOUT.key(), "(" + timeout + " ms) must be longer "
                    + "than the checkpoint interval (" + interval + " ms) plus the checkpoint time-out ("
                    + checkpointTimeout + " ms, execution.checkpointing.timeout), or a transaction can be aborted "
                    + "before its checkpoint commits it; lower execution.checkpointing.timeout or raise "
                    + "kafka.transaction-timeout (at most the broker's transaction.max.timeout.ms)");
        }
    }

    @Override
    public DataStream<DeadLetter> attachAlerts(DataStream<Alert> alerts, JobSettings settings) {
        alerts.sinkTo(KafkaIo.alertSink(settings.kafka(), guarantee(alerts.getExecutionEnvironment(), settings)))
                .uid(Operators.alertSinkUid(OutputType.KAFKA))
                .name(Operators.alertSinkName("Kafka topic " + settings.kafka().alertsTopic()));
        return null;
    }

    @Override
    public void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobSettings settings) {
        deadLetters.sinkTo(KafkaIo.deadLetterSink(settings.kafka(), guarantee(deadLetters.getExecutionEnvironment(), settings)))
                .uid(Operators.deadLetterSinkUid(OutputType.KAFKA))
                .name(Operators.deadLetterSinkName("Kafka topic " + settings.kafka().deadLetterTopic()));
    }

    private static DeliveryGuarantee guarantee(StreamExecutionEnvironment env, JobSettings settings) {
        return batch(env, settings) ? DeliveryGuarantee.AT_LEAST_ONCE : DeliveryGuarantee.EXACTLY_ONCE;
    }

    private static boolean batch(StreamExecutionEnvironment env, JobSettings settings) {
        return InputOrder.runsInBatch(env.getConfiguration(), settings.boundedInput());
    }
}
