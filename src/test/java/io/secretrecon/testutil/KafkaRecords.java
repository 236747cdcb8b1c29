package io.secretrecon.testutil;

import io.secretrecon.tools.WorkloadGenerator;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Producing test input to Kafka and reading committed output back, with clients that fail
 * within a bounded time instead of hanging when the broker does not answer.
 */
public final class KafkaRecords {

    /** One request to the broker. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** One record from {@code send()} to its acknowledgement, retries included. */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    /** {@code send()} waiting for metadata or buffer space; transactional calls of the producer. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(30);
    /** Closing a client: what it still has to send is dropped after this. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private KafkaRecords() {}

    /** A record to produce: value, record timestamp (epoch ms) and partition. */
    public record Input(byte[] value, long timestamp, int partition) {}

    /**
     * One benign raw audit event per partition at {@code at} (a kube-probe GET of a namespace,
     * which the rule drops): it moves every partition's watermark past what came before.
     */
    public static List<Input> ticks(Instant at, int partitions) {
        List<Input> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            WorkloadGenerator.Event tick = tickEvent(at.toEpochMilli(), "tick-" + at.toEpochMilli() + "-" + p);
            out.add(new Input(WorkloadGenerator.raw(tick).getBytes(StandardCharsets.UTF_8), tick.received, p));
        }
        return out;
    }

    /** A benign request at {@code at} (a kube-probe GET of a namespace, which the rule drops), to write as raw or ECS. */
    public static WorkloadGenerator.Event tickEvent(long at, String auditId) {
        WorkloadGenerator.Event tick = new WorkloadGenerator.Event();
        tick.received = at;
        tick.verb = "get";
        tick.user = "system:kube-probe";
        tick.sourceIps = List.of("127.0.0.1");
        tick.userAgent = "probe";
        tick.resource = "namespaces";
        tick.namespace = "default";
        tick.name = "tick";
        tick.auditId = auditId;
        return tick;
    }

    /**
     * The settings of every test producer: bounded time-outs, and one request in flight per
     * connection, so that a batch that is retried (say after {@code NOT_LEADER_OR_FOLLOWER})
     * cannot be overtaken by the next batch of its partition. With five in flight the next batch
     * could be appended first; the retried one's sequence numbers were then out of order until
     * it expired (KAFKA-15591). Idempotence (the default) keeps retries free of duplicates.
     */
    public static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(REQUEST_TIMEOUT));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis(DELIVERY_TIMEOUT));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis(MAX_BLOCK));
        return p;
    }

    /** The settings of every test consumer: bounded time-outs for each request and each blocking call. */
    public static Properties consumerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(REQUEST_TIMEOUT));
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(MAX_BLOCK));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /**
     * Produces the records and returns once the broker acknowledged every one; throws if one
     * failed, or with {@link TimeoutException} if they are not all acknowledged within
     * {@link #DELIVERY_TIMEOUT} and a margin.
     */
    public static void produce(String bootstrap, String topic, List<Input> records)
            throws InterruptedException, TimeoutException {
        Properties p = producerProperties(bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        try {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (Input r : records) {
                acks.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.timestamp(), null, r.value())));
            }
            // Not flush(): it has no time-out. Each acknowledgement is waited for with what is
            // left of one deadline (batches leave after linger.ms on their own).
            long deadline = System.nanoTime() + DELIVERY_TIMEOUT.plus(REQUEST_TIMEOUT).toNanos();
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("record " + i + " of " + records.size() + " to " + topic + "-"
                            + records.get(i).partition() + " was not written", e.getCause());
                } catch (TimeoutException e) {
                    long unacknowledged = acks.stream().filter(f -> !f.isDone()).count();
                    throw new TimeoutException(unacknowledged + " of " + records.size() + " records to " + topic
                            + " not acknowledged within " + DELIVERY_TIMEOUT.plus(REQUEST_TIMEOUT).toSeconds() + " s");
                }
            }
        } finally {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /**
     * Reads a topic from the beginning with {@code isolation.level=read_committed} until
     * {@code done} holds for what was read, or the deadline passes (then returns what it has).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration deadline) {
        Properties p = consumerProperties(bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long end = System.nanoTime() + deadline.toNanos();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (partitions.isEmpty() && System.nanoTime() < end) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null) {
                    infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!done.test(out) && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
        return out;
    }

    /**
     * Every committed record of a topic, once nothing written to it is still open: reads with
     * {@code isolation.level=read_committed} until the position of each partition reaches its log
     * end offset (which a transaction still open, or one aborted but not yet marked, holds back).
     * For a topic whose writers have stopped; throws {@link TimeoutException} after the deadline.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedToEnd(String bootstrap, String topic, Duration deadline)
            throws InterruptedException, TimeoutException {
        long end = System.nanoTime() + deadline.toNanos();
        Map<TopicPartition, Long> logEnd = new HashMap<>();
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(REQUEST_TIMEOUT));
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(MAX_BLOCK));
        try (Admin a = Admin.create(admin)) {
            int partitions = a.describeTopics(List.of(topic)).allTopicNames().get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            a.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> logEnd.put(tp, info.offset()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("the end offsets of " + topic, e.getCause());
        }
        Properties p = consumerProperties(bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        try {
            consumer.assign(logEnd.keySet());
            consumer.seekToBeginning(logEnd.keySet());
            while (logEnd.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > end) {
                    Map<TopicPartition, Long> positions = new HashMap<>();
                    logEnd.keySet().forEach(tp -> positions.put(tp, consumer.position(tp)));
                    throw new TimeoutException(topic + ": read_committed positions " + positions + " did not reach the log end "
                            + logEnd + " within " + deadline.toSeconds() + " s (a transaction still open?)");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
        return out;
    }

    private static int millis(Duration d) {
        return Math.toIntExact(d.toMillis());
    }
}
