package io.secretrecon.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.FailingKafkaSource;
import io.secretrecon.testutil.KafkaBroker;
import io.secretrecon.testutil.KafkaRecords;
import io.secretrecon.testutil.KafkaRecords.Input;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import io.secretrecon.testutil.ThreadDumpOnTimeout;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka in, Kafka out, exactly once, on a real broker ({@link KafkaBroker}) and a MiniCluster with
 * parallelism 2: a replay equals the file path and the reference; an injected failure and a broker
 * outage in the middle of a streaming run lose and duplicate nothing; bad records end in the
 * dead-letter topic with their coordinates.
 *
 * <p>Every topic is created before use and written only once its partitions are served
 * ({@link KafkaBroker#createTopic}), the job's output topics too: a topic the sink auto-creates
 * may refuse its first writes. A test that hangs fails after its time-out with a thread dump.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(ThreadDumpOnTimeout.class)
class KafkaPipelineITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    private static final Instant START = Instant.parse("2026-11-02T08:00:00Z");
    private static final Duration WAIT = Duration.ofMinutes(3);

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void aReplayToTheLatestOffsetsGivesTheReferenceAlertsAndDeadLettersBadRecords() throws Exception {
        String in = "audit-replay";
        String alerts = "alerts-replay";
        String dlq = "dlq-replay";
        KAFKA.createTopic(in, 3, Map.of("max.message.bytes", String.valueOf(8 * 1024 * 1024)));
        KAFKA.createTopic(alerts, 1);
        KAFKA.createTopic(dlq, 1);
        List<WorkloadGenerator.Event> events = generate(17, START, Duration.ofMinutes(90));
        List<Input> records = new ArrayList<>(inputs(events, 3));
        records.add(new Input(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41}, START.toEpochMilli(), 0));
        records.add(new Input("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":".getBytes(StandardCharsets.UTF_8),
                START.toEpochMilli(), 1));
        records.add(new Input(("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"requestObject\":{\"pad\":\""
                + "x".repeat(5 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8), START.toEpochMilli(), 2));
        KafkaRecords.produce(KAFKA.bootstrapServers(), in, records);

        JobSettings settings = settings(in, alerts, dlq, "replay", "--kafka.stopping-offsets", "latest",
                "--source.max-record-size", "1mb");
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);
        env.execute("kafka-replay");

        Path file = tmp.resolve("same-events.log");
        Files.write(file, lines(records.subList(0, records.size() - 3)));
        List<String> expected = ReferenceDetector.continuous(ReferenceRule.kept(file), LOOKBACK, 3, UPDATE);
        assertThat(expected).isNotEmpty();
        List<ConsumerRecord<byte[], byte[]>> committed = KafkaRecords.readCommitted(KAFKA.bootstrapServers(), alerts,
                r -> r.size() >= expected.size(), WAIT);
        assertThat(canonical(committed)).containsExactlyElementsOf(expected);
        assertThat(canonical(committed)).as("the file path on the same events")
                .containsExactlyElementsOf(AlertDocuments.canonical(runOnFile(file)));
        assertThat(committed).allSatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8))
                .isEqualTo(JSON.readTree(r.value()).at("/kibana/alert/uuid").asText()));

        List<JsonNode> dead = new ArrayList<>();
        KafkaRecords.readCommitted(KAFKA.bootstrapServers(), dlq, r -> r.size() >= 3, WAIT)
                .forEach(r -> dead.add(readTree(r.value())));
        assertThat(dead).hasSize(3).allSatisfy(d -> {
            assertThat(d.at("/source/topic").asText()).isEqualTo(in);
            assertThat(d.at("/source/offset").isNumber()).isTrue();
            assertThat(d.get("record").asText().length()).isLessThanOrEqualTo(64 * 1024);
        });
        assertThat(dead).extracting(d -> d.get("reason").asText())
                .containsExactlyInAnyOrder("malformed", "malformed", "too-large");
    }

    @Test
    void anInjectedFailureMidStreamLosesAndDuplicatesNothing() throws Exception {
        String in = "audit-failure";
        String alerts = "alerts-failure";
        String dlq = "dlq-failure";
        KAFKA.createTopic(in, 3);
        KAFKA.createTopic(alerts, 1);
        KAFKA.createTopic(dlq, 1);
        JobSettings settings = settings(in, alerts, dlq, "failure", "--flink.execution.runtime-mode", "STREAMING");
        StreamExecutionEnvironment env = environment(settings);
        FailingKafkaSource.reset();
        SecretReconJob.build(env, settings, FailingKafkaSource.of(settings));

        TwoPhases phases = new TwoPhases(29);
        KafkaRecords.produce(KAFKA.bootstrapServers(), in, phases.first);
        JobClient job = env.executeAsync("kafka-failure");
        try {
            awaitCommitted(alerts, phases.expectedAfterFirst.size());
            FailingKafkaSource.ARMED.set(true); // the next record read fails the job once
            KafkaRecords.produce(KAFKA.bootstrapServers(), in, phases.second);
            List<ConsumerRecord<byte[], byte[]>> committed = awaitCommitted(alerts, phases.expected.size());

            assertThat(FailingKafkaSource.FAILED).as("the fault was injected").isTrue();
            assertExactlyOnce(committed, phases.expected);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aBrokerOutageInTheMiddleOfAStreamingRunLosesAndDuplicatesNothing() throws Exception {
        String in = "audit-outage";
        String alerts = "alerts-outage";
        String dlq = "dlq-outage";
        KAFKA.createTopic(in, 3);
        KAFKA.createTopic(alerts, 1);
        KAFKA.createTopic(dlq, 1);
        JobSettings settings = settings(in, alerts, dlq, "outage", "--flink.execution.runtime-mode", "STREAMING");
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);

        TwoPhases phases = new TwoPhases(37);
        KafkaRecords.produce(KAFKA.bootstrapServers(), in, phases.first);
        JobClient job = env.executeAsync("kafka-outage");
        try {
            awaitCommitted(alerts, phases.expectedAfterFirst.size());
            KAFKA.stop();
            Thread.sleep(Duration.ofSeconds(20).toMillis()); // the outage itself, not a wait for anything
            KAFKA.start();
            KAFKA.awaitTopicServed(in, 3);
            KafkaRecords.produce(KAFKA.bootstrapServers(), in, phases.second);
            List<ConsumerRecord<byte[], byte[]>> committed = awaitCommitted(alerts, phases.expected.size());

            assertExactlyOnce(committed, phases.expected);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    // ------------------------------------------------------------------ scenario

    /**
     * Two batches of traffic, each followed by a benign "tick" event on every partition far
     * enough in the future to move the watermark past the batch, so that every incident of the
     * batch closes and is emitted while the job keeps running.
     */
    private final class TwoPhases {
        final List<Input> first;
        final List<Input> second;
        final List<String> expectedAfterFirst;
        final List<String> expected;

        TwoPhases(long seed) throws Exception {
            Instant secondStart = START.plus(Duration.ofHours(3));
            List<WorkloadGenerator.Event> a = generate(seed, START, Duration.ofMinutes(60));
            List<WorkloadGenerator.Event> b = generate(seed + 1, secondStart, Duration.ofMinutes(60));
            first = new ArrayList<>(inputs(a, 3));
            first.addAll(KafkaRecords.ticks(START.plus(Duration.ofHours(2)), 3));
            second = new ArrayList<>(inputs(b, 3));
            second.addAll(KafkaRecords.ticks(secondStart.plus(Duration.ofHours(2)), 3));
            Path firstFile = tmp.resolve("first-" + seed + ".log");
            Path allFile = tmp.resolve("all-" + seed + ".log");
            Files.write(firstFile, lines(first));
            List<Input> all = new ArrayList<>(first);
            all.addAll(second);
            Files.write(allFile, lines(all));
            expectedAfterFirst = ReferenceDetector.continuous(ReferenceRule.kept(firstFile), LOOKBACK, 3, UPDATE);
            expected = ReferenceDetector.continuous(ReferenceRule.kept(allFile), LOOKBACK, 3, UPDATE);
            assertThat(expectedAfterFirst).isNotEmpty();
            assertThat(expected.size()).isGreaterThan(expectedAfterFirst.size());
        }
    }

    private static List<WorkloadGenerator.Event> generate(long seed, Instant start, Duration duration) {
        return new WorkloadGenerator(seed, start.toEpochMilli(), duration.toMillis()).generate(1200, 4);
    }

    /** Raw events take their record timestamp as event time: produce them with the request time. */
    private static List<Input> inputs(List<WorkloadGenerator.Event> events, int partitions) {
        List<Input> out = new ArrayList<>();
        int i = 0;
        for (WorkloadGenerator.Event e : events) {
            String line = i % 2 == 0 ? WorkloadGenerator.raw(e) : WorkloadGenerator.ecs(e, 0, i % 3);
            out.add(new Input(line.getBytes(StandardCharsets.UTF_8), e.received, i % partitions));
            i++;
        }
        return out;
    }

    private static List<String> lines(List<Input> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
        return out;
    }

    // ------------------------------------------------------------------ job and checks

    private static JobSettings settings(String in, String alerts, String dlq, String name, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--source.type", "kafka", "--sink.type", "kafka", "--dead-letter.type", "kafka",
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topics", in,
                "--kafka.group-id", "secret-recon-" + name, "--kafka.starting-offsets", "earliest",
                "--kafka.alerts-topic", alerts, "--kafka.dead-letter-topic", dlq,
                "--kafka.transactional-id-prefix", "secret-recon-it-" + name,
                "--kafka.transaction-timeout", "2min",
                "--flink.execution.checkpointing.interval", "500ms",
                "--flink.execution.checkpointing.timeout", "1min",
                "--flink.restart-strategy.type", "fixed-delay",
                "--flink.restart-strategy.fixed-delay.attempts", "1000",
                "--flink.restart-strategy.fixed-delay.delay", "1s"));
        args.addAll(List.of(extra));
        return SecretReconJob.loadSettings(args.toArray(new String[0]));
    }

    private Path runOnFile(Path input) throws Exception {
        Path out = tmp.resolve("file-alerts.ndjson");
        JobSettings settings = SecretReconJob.loadSettings(new String[] {"--source.type", "file",
                "--source.path", input.toString(), "--sink.type", "file", "--sink.path", out.toString(),
                "--dead-letter.path", tmp.resolve("file-dead-letters.ndjson").toString()});
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);
        env.execute("file-path");
        return out;
    }

    private static StreamExecutionEnvironment environment(JobSettings settings) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        return env;
    }

    private static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(String topic, int count) {
        return KafkaRecords.readCommitted(KAFKA.bootstrapServers(), topic, r -> r.size() >= count, WAIT);
    }

    private static void assertExactlyOnce(List<ConsumerRecord<byte[], byte[]>> committed, List<String> expected) {
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : committed) {
            JsonNode a = readTree(r.value());
            String idAndRevision = a.at("/kibana/alert/uuid").asText() + "#" + a.at("/secret_recon/revision").asInt();
            assertThat(seen.add(idAndRevision)).as("duplicate alert %s", idAndRevision).isTrue();
        }
        assertThat(canonical(committed)).containsExactlyElementsOf(expected);
    }

    private static List<String> canonical(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(AlertDocuments.canonical(readTree(r.value()))));
        out.sort(null);
        return out;
    }

    private static JsonNode readTree(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
