package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretrecon.pipeline.Sources;
import io.secretrecon.SecretReconJob;
import io.secretrecon.alert.Alert;
import io.secretrecon.config.JobSettings;
import io.secretrecon.testutil.ElasticsearchAlerts;
import io.secretrecon.testutil.ElasticsearchServer;
import io.secretrecon.testutil.KafkaBroker;
import io.secretrecon.testutil.KafkaRecords;
import io.secretrecon.testutil.KafkaRecords.Input;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts streaming from Kafka ({@link KafkaBroker}) through the real topology into a real
 * Elasticsearch ({@link ElasticsearchServer}), on a MiniCluster with parallelism 2 and
 * checkpoints every 500 ms: an injected failure with a restore from a checkpoint, and a minute
 * with Elasticsearch stopped, each leave every incident exactly once in the index, at its
 * highest revision, equal to the reference implementation.
 */
class ElasticsearchRecoveryITCase {

    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    private static final Instant START = Instant.parse("2026-11-02T08:00:00Z");
    private static final int PARTITIONS = 3;
    private static final Duration WAIT = Duration.ofMinutes(4);

    @RegisterExtension
    static final ElasticsearchServer ES = new ElasticsearchServer();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aFailureAndARestoreFromACheckpointLeaveEachAlertOnceAtItsHighestRevision(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String name = "failover";
        Phases phases = new Phases(29);
        FailOnce.reset(3);
        createTopic(topic(name));
        KafkaRecords.produce(KAFKA.bootstrapServers(), topic(name), phases.first);
        JobClient job = start(name, new FailOnce());
        try {
            assertThat(awaitDocuments(name, phases.expectedAfterFirst)).containsExactlyElementsOf(phases.expectedAfterFirst);
            awaitCheckpointAfter(cluster, job.getJobID(), completedCheckpoints(cluster, job.getJobID()));

            FailOnce.ARMED.set(true); // the third alert from now on fails the job, once
            KafkaRecords.produce(KAFKA.bootstrapServers(), topic(name), phases.second);
            List<String> all = awaitDocuments(name, phases.expected);

            assertThat(FailOnce.FAILED).as("the fault was injected").isTrue();
            AccessExecutionGraph graph = cluster.getExecutionGraph(job.getJobID()).get();
            assertThat(graph.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint())
                    .as("the job was restored from a checkpoint").isNotNull();
            assertThat(all).containsExactlyElementsOf(phases.expected);
            assertOnceAtItsRevision(name, phases.expected.size());
        } finally {
            cancel(job);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void elasticsearchStoppedForAMinuteWhileAlertsFlowThenRestartedLosesNothing(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ES.isExternal(), "needs a server the test can stop");
        String name = "outage";
        Phases phases = new Phases(37);
        createTopic(topic(name));
        KafkaRecords.produce(KAFKA.bootstrapServers(), topic(name), phases.first);
        JobClient job = start(name, null);
        try {
            assertThat(awaitDocuments(name, phases.expectedAfterFirst)).containsExactlyElementsOf(phases.expectedAfterFirst);

            ES.stop();
            try {
                KafkaRecords.produce(KAFKA.bootstrapServers(), topic(name), phases.second); // alerts flow into a writer that cannot write
                Thread.sleep(Duration.ofSeconds(60).toMillis()); // the outage itself, not a wait for anything
                assertThat(job.getJobStatus().get()).as("the writer waits; the job does not fail").isEqualTo(JobStatus.RUNNING);
            } finally {
                ES.start();
            }
            List<String> all = awaitDocuments(name, phases.expected);

            assertThat(all).containsExactlyElementsOf(phases.expected);
            assertOnceAtItsRevision(name, phases.expected.size());
            assertThat(cluster.getExecutionGraph(job.getJobID()).get().getStatusTimestamp(JobStatus.RESTARTING))
                    .as("recovered without a restart: back-pressure and retries").isZero();
        } finally {
            cancel(job);
        }
    }

    // ------------------------------------------------------------------ scenario

    /**
     * Two batches of traffic, each followed by a benign "tick" event on every partition far
     * enough in the future to move the watermark past the batch, so that every incident of the
     * batch closes and is emitted while the job keeps running.
     */
    private final class Phases {
        final List<Input> first;
        final List<Input> second;
        final List<String> expectedAfterFirst;
        final List<String> expected;

        Phases(long seed) throws IOException {
            Instant secondStart = START.plus(Duration.ofHours(3));
            first = new ArrayList<>(inputs(generate(seed, START)));
            first.addAll(KafkaRecords.ticks(START.plus(Duration.ofHours(2)), PARTITIONS));
            second = new ArrayList<>(inputs(generate(seed + 1, secondStart)));
            second.addAll(KafkaRecords.ticks(secondStart.plus(Duration.ofHours(2)), PARTITIONS));
            Path firstFile = tmp.resolve("first-" + seed + ".log");
            Path allFile = tmp.resolve("all-" + seed + ".log");
            Files.write(firstFile, lines(first));
            List<Input> all = new ArrayList<>(first);
            all.addAll(second);
            Files.write(allFile, lines(all));
            expectedAfterFirst = ElasticsearchAlerts.highestRevisions(
                    ReferenceDetector.continuous(ReferenceRule.kept(firstFile), LOOKBACK, 3, UPDATE));
            expected = ElasticsearchAlerts.highestRevisions(
                    ReferenceDetector.continuous(ReferenceRule.kept(allFile), LOOKBACK, 3, UPDATE));
            assertThat(expectedAfterFirst).isNotEmpty();
            assertThat(expected.size()).isGreaterThan(expectedAfterFirst.size());
        }
    }

    private static List<WorkloadGenerator.Event> generate(long seed, Instant start) {
        return new WorkloadGenerator(seed, start.toEpochMilli(), Duration.ofMinutes(60).toMillis()).generate(1200, 4);
    }

    /** Raw events take their record timestamp as event time: produce them with the request time. */
    private static List<Input> inputs(List<WorkloadGenerator.Event> events) {
        List<Input> out = new ArrayList<>();
        int i = 0;
        for (WorkloadGenerator.Event e : events) {
            out.add(new Input(WorkloadGenerator.raw(e).getBytes(StandardCharsets.UTF_8), e.received, i++ % PARTITIONS));
        }
        return out;
    }

    private static List<String> lines(List<Input> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
        return out;
    }

    // ------------------------------------------------------------------ the job

    private static String topic(String name) {
        return "audit-" + name;
    }

    /**
     * A topic whose records are kept whatever their timestamps: the scenario's event times are
     * fixed dates, and a broker with the default 7-day retention deletes older records at once.
     */
    private static void createTopic(String name) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1).configs(Map.of("retention.ms", "-1"))))
                    .all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name).partitions().stream()
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty())) {
                assertThat(System.nanoTime()).as("every partition of %s has a leader", name).isLessThan(deadline);
                Thread.sleep(100); // poll interval of the condition above
            }
        }
    }

    private static String index(String name) {
        return "it-" + name;
    }

    private JobClient start(String name, MapFunction<Alert, Alert> beforeWriter) throws Exception {
        JobSettings settings = SecretReconJob.loadSettings(new String[] {
                "--source.type", "kafka", "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topics", topic(name),
                "--kafka.group-id", "secret-recon-es-" + name, "--kafka.starting-offsets", "earliest",
                "--detector.mode", "continuous",
                "--flink.execution.runtime-mode", "STREAMING",
                "--flink.execution.checkpointing.interval", "500ms",
                "--flink.restart-strategy.type", "fixed-delay",
                "--flink.restart-strategy.fixed-delay.attempts", "100",
                "--flink.restart-strategy.fixed-delay.delay", "1s"});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        Path out = Files.createTempDirectory(tmp, "run");
        ElasticsearchSinkITCase.wire(env, Sources.of(settings), settings,
                ElasticsearchSinkITCase.sinkSettings(ES, index(name)),
                new ElasticsearchSinkITCase.Run(out.resolve("alerts.ndjson"), out.resolve("dead-letters.ndjson")), beforeWriter);
        return env.executeAsync("elasticsearch-recovery-" + name);
    }

    private static void cancel(JobClient job) throws Exception {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Throws once, at the n-th alert after it is armed. */
    static final class FailOnce implements MapFunction<Alert, Alert> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger COUNTDOWN = new AtomicInteger();

        static void reset(int nth) {
            ARMED.set(false);
            FAILED.set(false);
            COUNTDOWN.set(nth);
        }

        @Override
        public Alert map(Alert alert) throws Exception {
            if (ARMED.get() && COUNTDOWN.decrementAndGet() == 0 && FAILED.compareAndSet(false, true)) {
                throw new IOException("injected fault at alert " + alert.id + " revision " + alert.revision);
            }
            return alert;
        }
    }

    // ------------------------------------------------------------------ checks

    private static List<String> awaitDocuments(String name, List<String> expected) {
        return ElasticsearchAlerts.awaitEqual(() -> ElasticsearchAlerts.canonical(ES.documents(index(name))), expected, WAIT);
    }

    /** One document per incident, whose _version is its revision (the external version). */
    private static void assertOnceAtItsRevision(String name, int incidents) {
        Map<String, JsonNode> docs = ES.documents(index(name));
        assertThat(docs).hasSize(incidents);
        docs.forEach((id, hit) -> {
            assertThat(hit.at("/_source/kibana/alert/uuid").asText()).isEqualTo(id);
            assertThat(hit.get("_version").asLong()).as(id).isEqualTo(hit.at("/_source/secret_recon/revision").asLong());
        });
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints();
    }

    private static void awaitCheckpointAfter(MiniCluster cluster, JobID job, long completed) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (completedCheckpoints(cluster, job) <= completed) {
            assertThat(System.nanoTime()).as("a checkpoint completes within " + WAIT).isLessThan(deadline);
            Thread.sleep(100); // poll interval of the condition above
        }
    }
}
