package io.secretrecon.io;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.KafkaSettings;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Kafka source and exactly-once sinks (SPEC §7).
 *
 * <p>In a streaming run both sinks write in Kafka transactions that commit with Flink's
 * checkpoints ({@link DeliveryGuarantee#EXACTLY_ONCE}): consumers must read with
 * {@code isolation.level=read_committed}, and see alerts only after the checkpoint that covers
 * them. The transaction timeout must exceed the checkpoint interval plus the checkpoint time-out
 * (and leave room for a recovery), and must not exceed the broker's
 * {@code transaction.max.timeout.ms}; the job checks the first at start-up. A bounded replay runs in
 * BATCH mode, which has no checkpoints: see {@code pipeline.KafkaOutput} for why it writes
 * {@link DeliveryGuarantee#AT_LEAST_ONCE}.
 */
public final class KafkaIo {

    private KafkaIo() {}

    public static KafkaSource<ParsedRecord> source(KafkaSettings k, long maxRecordBytes) {
        KafkaSourceBuilder<ParsedRecord> b = KafkaSource.<ParsedRecord>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setGroupId(k.groupId())
                .setProperties(k.clientProperties())
                .setDeserializer(new KafkaAuditDeserializer(maxRecordBytes))
                .setStartingOffsets(startingOffsets(k))
                .setProperty("commit.offsets.on.checkpoint", "true");
        if (k.topicPattern().isEmpty()) {
            b.setTopics(k.topics());
        } else {
            b.setTopicPattern(Pattern.compile(k.topicPattern()));
        }
        if (k.stopAtLatest()) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
    private static OffsetsInitializer startingOffsets(KafkaSettings k) {
        switch (k.startingOffsets()) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case TIMESTAMP:
                return OffsetsInitializer.timestamp(k.startingTimestamp());
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /**
     * Alerts: key = alert id, value = the alert document. The record timestamp is left to the
     * producer (the time of writing), not the alert's event time: a topic's time-based retention
     * would delete at once the alerts of a replay of logs older than the retention.
     */
    public static KafkaSink<Alert> alertSink(KafkaSettings k, DeliveryGuarantee guarantee) {
        String topic = k.alertsTopic();
        return sink(k, guarantee, "-alerts", (KafkaRecordSerializationSchema<Alert>) (alert, context, timestamp) ->
                new ProducerRecord<>(topic, null, null, utf8(alert.id), utf8(AlertJson.toJson(alert))));
    }

    /** Dead letters: key = where the record came from, value = the dead-letter entry. */
    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings k, DeliveryGuarantee guarantee) {
        String topic = k.deadLetterTopic();
        return sink(k, guarantee, "-dead-letters", (KafkaRecordSerializationSchema<DeadLetter>) (d, context, timestamp) ->
                new ProducerRecord<>(topic, null, null, d.origin == null ? null : utf8(d.origin.toString()),
                        utf8(DeadLetterJson.toJson(d))));
    }

    private static <T> KafkaSink<T> sink(KafkaSettings k, DeliveryGuarantee guarantee, String suffix,
            KafkaRecordSerializationSchema<T> schema) {
        Properties props = k.clientProperties();
        props.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(k.transactionTimeout().toMillis()));
        if (guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(k.transactionalIdPrefix() + suffix)
                .setRecordSerializer(schema)
                .build();
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
