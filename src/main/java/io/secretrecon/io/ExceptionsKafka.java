package io.secretrecon.io;

import io.secretrecon.config.KafkaSettings;
import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The control source of {@code rule.exceptions-topic}: a compacted topic whose records are
 * exception entries, key = id, value = the entry's JSON, null value (tombstone) = removed.
 *
 * <p>It always starts from the earliest offset: a compacted topic is the whole set of exceptions,
 * and a job that starts without state must read all of it. A restored job continues from the
 * offsets in its checkpoint, with the exceptions themselves in the filter's broadcast state. With
 * a bounded input it stops at the offsets latest at start, so that a BATCH run applies every
 * exception before any event.
 *
 * <p>The topic is subscribed to by name as a pattern, so that the job also starts before the topic
 * exists ({@code scripts/exceptions.sh add} creates it): it is read from its start within
 * {@value #DISCOVERY_INTERVAL_MS} ms of its creation.
 */
public final class ExceptionsKafka {

    /** How soon a control topic created after the job started is read. */
    public static final long DISCOVERY_INTERVAL_MS = 10_000;

    private ExceptionsKafka() {}

    public static KafkaSource<ExceptionRecord> source(KafkaSettings k, String topic, boolean bounded) {
        KafkaSourceBuilder<ExceptionRecord> b = KafkaSource.<ExceptionRecord>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setGroupId(k.groupId() + "-exceptions")
                .setProperties(k.clientProperties())
                .setTopicPattern(Pattern.compile(Pattern.quote(topic)))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new Deserializer());
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        } else {
            b.setProperty("partition.discovery.interval.ms", String.valueOf(DISCOVERY_INTERVAL_MS));
        }
        return b.build();
    }

    /** Key and value as UTF-8 text, as they are: the filter interprets them (and dead-letters what is wrong). */
    static final class Deserializer implements KafkaRecordDeserializationSchema<ExceptionRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ExceptionRecord> out) {
            out.collect(ExceptionRecord.kafka(text(record.key()), text(record.value()),
                    record.timestamp() >= 0 ? record.timestamp() : Long.MIN_VALUE,
                    RecordOrigin.kafka(record.topic(), record.partition(), record.offset())));
        }

        private static String text(byte[] bytes) {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public TypeInformation<ExceptionRecord> getProducedType() {
            return TypeInformation.of(ExceptionRecord.class);
        }
    }
}
