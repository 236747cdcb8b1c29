package io.secretrecon.testutil;

import io.secretrecon.config.JobSettings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.io.KafkaAuditDeserializer;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The job's Kafka source (earliest offsets) whose deserializer throws once, on the first record
 * after {@link #ARMED} is set. The flags are static because the deserializer is serialized into
 * the job; a test calls {@link #reset()} before it builds the job (test classes run one at a time).
 */
public final class FailingKafkaSource {

    public static final AtomicBoolean ARMED = new AtomicBoolean();
    public static final AtomicBoolean FAILED = new AtomicBoolean();

    private FailingKafkaSource() {}

    public static void reset() {
        ARMED.set(false);
        FAILED.set(false);
    }

    public static Source<ParsedRecord, ?, ?> of(JobSettings settings) {
        var k = settings.kafka();
        return KafkaSource.<ParsedRecord>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setGroupId(k.groupId())
                .setTopics(k.topics())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new FailOnce(settings.maxRecordBytes()))
                .build();
    }

    private static final class FailOnce implements KafkaRecordDeserializationSchema<ParsedRecord> {
        private static final long serialVersionUID = 1L;

        private final KafkaAuditDeserializer delegate;

        FailOnce(long maxRecordBytes) {
            this.delegate = new KafkaAuditDeserializer(maxRecordBytes);
        }

        @Override
        public void open(DeserializationSchema.InitializationContext context) {
            delegate.open(context);
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) throws IOException {
            if (ARMED.get() && FAILED.compareAndSet(false, true)) {
                throw new IOException("injected fault at " + record.topic() + "/" + record.partition() + "@" + record.offset());
            }
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<ParsedRecord> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
