package io.secretrecon.testutil;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The {@link KafkaBroker} extension: transactions, read_committed, and data surviving a restart. */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(ThreadDumpOnTimeout.class)
class KafkaBrokerITCase {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void transactionalRecordsAreReadCommittedAndSurviveABrokerRestart() throws Exception {
        String suffix = UUID.randomUUID().toString();
        String topic = "kafka-broker-it-" + suffix;
        String transactionalId = "kafka-broker-it-tx-" + suffix;
        KAFKA.createTopic(topic, 2);

        KafkaProducer<String, String> producer = producer(transactionalId);
        try {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "x", "aborted-0"));
            producer.send(new ProducerRecord<>(topic, 1, "y", "aborted-1"));
            producer.flush(); // returns within delivery.timeout.ms: every batch is then sent or expired
            producer.abortTransaction();
        } finally {
            producer.close(KafkaRecords.CLOSE_TIMEOUT);
        }

        List<String> expected = List.of("committed-0", "committed-1", "committed-2", "committed-3", "committed-4", "committed-5");
        assertThat(readCommitted(topic)).containsExactlyInAnyOrderElementsOf(expected);

        assumeFalse(KAFKA.isExternal(), "restart not possible with " + KafkaBroker.BOOTSTRAP_ENV);
        KAFKA.stop();
        KAFKA.start();

        assertThat(readCommitted(topic)).containsExactlyInAnyOrderElementsOf(expected);

        // The transaction coordinator's state survived too: the same transactional id goes on.
        producer = producer(transactionalId);
        try {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k6", "committed-6"));
            producer.commitTransaction();
        } finally {
            producer.close(KafkaRecords.CLOSE_TIMEOUT);
        }
        List<String> more = new ArrayList<>(expected);
        more.add("committed-6");
        // commitTransaction returns before the commit markers are written: until they are, the
        // last stable offset still stops short of the new record. Read again until it shows.
        List<String> seen = readCommitted(topic);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!seen.contains("committed-6") && System.nanoTime() < deadline) {
            seen = readCommitted(topic);
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(more);
    }

    /** A transactional producer with the test clients' time-outs ({@link KafkaRecords#producerProperties}). */
    private static KafkaProducer<String, String> producer(String transactionalId) {
        Properties props = KafkaRecords.producerProperties(KAFKA.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Every value a read_committed consumer sees from the start to the end (last stable offset) of the topic. */
    private static List<String> readCommitted(String topic) {
        Properties props = KafkaRecords.consumerProperties(KAFKA.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        List<String> values = new ArrayList<>();
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(60)) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read %s up to %s in time", topic, end).isLessThan(deadline);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(KafkaRecords.CLOSE_TIMEOUT));
        }
        return values;
    }
}
