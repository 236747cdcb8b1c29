package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.config.Settings;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.io.KafkaIo;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code kafka}: alerts to {@code kafka.alerts-topic} (key = alert id), dead letters to
 * {@code kafka.dead-letter-topic}, both exactly once in transactions that Flink's checkpoints
 * commit ({@link KafkaIo}).
 */
final class KafkaOutput implements Output {

    /**
     * A streaming run needs checkpointing, and a transaction must outlive the checkpoint interval
     * or it is aborted before it commits. (A bounded input runs in BATCH mode and commits once at
     * the end.)
     */
    @Override
    public void check(StreamExecutionEnvironment env, JobSettings settings) {
        RuntimeExecutionMode mode = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
        boolean batch = mode == RuntimeExecutionMode.BATCH
                || (mode == RuntimeExecutionMode.AUTOMATIC && settings.boundedInput());
        if (batch) {
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
            throw ConfigException.forKey(Settings.KAFKA_TRANSACTION_TIMEOUT.key(), "(" + timeout + " ms"
                    + ") must be longer than the checkpoint interval (" + interval + " ms) plus the time a recovery "
                    + "takes, or transactions are aborted before their checkpoint commits them");
        }
    }

    @Override
    public DataStream<DeadLetter> attachAlerts(DataStream<Alert> alerts, JobSettings settings) {
        alerts.sinkTo(KafkaIo.alertSink(settings.kafka()))
                .uid(Operators.alertSinkUid(OutputType.KAFKA))
                .name(Operators.alertSinkName("Kafka topic " + settings.kafka().alertsTopic()));
        return null;
    }

    @Override
    public void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobSettings settings) {
        deadLetters.sinkTo(KafkaIo.deadLetterSink(settings.kafka()))
                .uid(Operators.deadLetterSinkUid(OutputType.KAFKA))
                .name(Operators.deadLetterSinkName("Kafka topic " + settings.kafka().deadLetterTopic()));
    }
}
