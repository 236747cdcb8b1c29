package io.secretrecon.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.FailingKafkaSource;
import io.secretrecon.testutil.KafkaBroker;
import io.secretrecon.testutil.KafkaRecords;
import io.secretrecon.testutil.KafkaRecords.Input;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceDetector.Kept;
import io.secretrecon.testutil.ReferenceRule;
import io.secretrecon.tools.ExceptionsTool;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live tuning on a real broker and a MiniCluster with parallelism 2: exceptions added, refused,
 * removed and expiring while a streaming job runs, in force across a failure and a savepoint, from a
 * watched file, and the quiet profile on a workload of controllers and attacks. Alerts are compared
 * with the reference implementation on the same events minus the ones the exceptions cover.
 *
 * <p>Every wait is on a condition with a deadline: alerts or dead letters committed, or the filter's
 * {@code exceptions} gauge showing a change on every subtask (then the events produced next are
 * filtered with it, as a control record reaches each subtask before the events after it).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LiveTuningKafkaITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    /**
     * The scenarios' start: hours before the wall clock, so that no event is in the future, and
     * not weeks: a broker deletes records (input and alerts, whose Kafka timestamp is event time)
     * older than its retention (7 days) at its next retention check, 30 s after it starts and then
     * every 5 minutes.
     */
    private static final Instant B = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5));
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Partitions of the quiet test's topic (a BATCH replay); the streaming tests use one ({@link #settings}). */
    private static final int PARTITIONS = 3;
    private static final ChronoUnit MINUTES = ChronoUnit.MINUTES;

    private static final String VELERO = "system:serviceaccount:velero:velero";
    private static final String MALLORY = "mallory@example.com";

    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlotsReportingTo(REPORTER);

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- the life of an exception

    @Test
    void anExceptionSilencesItsFingerprintUntilItIsRemovedOrExpires() throws Exception {
        Topics t = topics("lifecycle");
        JobSettings settings = settings(t, "lifecycle", "--rule.exceptions-topic", t.control);
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);
        List<Input> all = new ArrayList<>();
        Set<String> silenced = new HashSet<>();

        JobClient job = env.executeAsync("live-exceptions");
        running = job.getJobID();
        try {
            // the noisy operator alerts, as does the attacker
            produce(t, all, phase("p1", velero("p1", B, "allow"), mallory("p1", B)));
            awaitAlerts(t, expected(all, silenced));

            // an exception for the operator's allowed reads, and a malformed entry that changes nothing
            assertThat(tool("add", "--topic", t.control, "--id", "velero-backups", "--field", "kubernetes.audit.user.username",
                    "--operator", "is", "--value", VELERO, "--decision", "allow", "--effective", at(30),
                    "--author", "jane", "--comment", "nightly backups")).isZero();
            control(t, "typo", "{\"id\": \"typo\", \"feild\": \"user.name\"}", B);
            awaitDeadLetters(t, 1);
            awaitExceptionsInForce(job.getJobID(), 1);

            // its next burst is silent; the attacker, and the operator's denied reads from elsewhere, are not
            List<Input> p2Velero = velero("p2", B.plus(40, MINUTES), "allow");
            List<Input> p2Denied = burst(VELERO, "10.0.7.8", "velero/v1.14.0", "p2-denied", B.plus(41, MINUTES), 3, "forbid");
            produce(t, all, phase("p2", p2Velero, p2Denied, mallory("p2", B.plus(40, MINUTES))));
            silenced.add("p2-velero");
            awaitAlerts(t, expected(all, silenced));

            // removed: alerts again
            assertThat(tool("remove", "--topic", t.control, "velero-backups")).isZero();
            awaitExceptionsInForce(job.getJobID(), 0);
            produce(t, all, phase("p3", velero("p3", B.plus(70, MINUTES), "allow"),
                    mallory("p3", B.plus(70, MINUTES))));
            awaitAlerts(t, expected(all, silenced));

            // an exception that expires, effective from its record's Kafka timestamp
            String expiring = "{\"id\": \"velero-until-noon\", \"field\": \"user.name\", \"operator\": \"matches\","
                    + " \"values\": [\"system:serviceaccount:velero:*\"], \"decision\": \"allow\", \"expires\": \"" + at(130)
                    + "\", \"author\": \"jane\", \"comment\": \"until the restore test\"}";
            control(t, "velero-until-noon", expiring, B.plus(100, MINUTES));
            awaitExceptionsInForce(job.getJobID(), 1);
            produce(t, all, phase("p4", velero("p4", B.plus(110, MINUTES), "allow"),
                    velero("p5", B.plus(140, MINUTES), "allow"), mallory("p4", B.plus(110, MINUTES))));
            silenced.add("p4-velero");
            List<String> expected = expected(all, silenced);
            List<ConsumerRecord<byte[], byte[]>> committed = awaitAlerts(t, expected);

            assertExactlyOnce(committed, expected);
            assertThat(users(committed)).as("the operator alerted again after the removal and after the expiry")
                    .contains(VELERO, MALLORY);
            assertThat(sum(job.getJobID(), "dropped-exception")).isEqualTo(16);
            assertThat(sum(job.getJobID(), "exception.velero-backups.hits")).isEqualTo(8);
            assertThat(sum(job.getJobID(), "exception.velero-until-noon.hits")).isEqualTo(8);
        } finally {
            job.cancel().get();
        }
        List<JsonNode> dead = deadLetters(t, 1);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.get("reason").asText()).isEqualTo("malformed-exception");
            assertThat(d.get("detail").asText()).startsWith("unknown member 'feild'");
            assertThat(d.at("/source/topic").asText()).isEqualTo(t.control);
        });
    }

    // ---------------------------------------------------------------- failure and savepoint

    @Test
    void theExceptionsInForceAreTheSameAfterAFailureAndAfterARestoreFromASavepoint() throws Exception {
        Topics t = topics("restore");
        JobSettings settings = settings(t, "restore", "--rule.exceptions-topic", t.control);
        StreamExecutionEnvironment env = environment(settings);
        FailingKafkaSource.reset();
        SecretReconJob.build(env, settings, FailingKafkaSource.of(settings));
        List<Input> all = new ArrayList<>();
        Set<String> silenced = new HashSet<>();
        String savepoint;

        JobClient job = env.executeAsync("exceptions-restore");
        running = job.getJobID();
        try {
            assertThat(tool("add", "--topic", t.control, "--id", "velero-backups", "--field", "user.name", "--operator",
                    "is", "--value", VELERO, "--effective", at(0), "--author", "jane", "--comment", "backups")).isZero();
            awaitExceptionsInForce(job.getJobID(), 1);
            produce(t, all, phase("p1", velero("p1", B, "allow"), mallory("p1", B)));
            silenced.add("p1-velero");
            awaitAlerts(t, expected(all, silenced));

            FailingKafkaSource.ARMED.set(true); // the next audit record read fails the job once; it restarts from a checkpoint
            produce(t, all, phase("p2", velero("p2", B.plus(30, MINUTES), "allow"),
                    mallory("p2", B.plus(30, MINUTES))));
            silenced.add("p2-velero");
            awaitAlerts(t, expected(all, silenced));
            assertThat(FailingKafkaSource.FAILED).as("the fault was injected").isTrue();

            savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            job.cancel();
            throw e;
        }

        // A new job from the savepoint: its control source continues after the exception's record,
        // so the exception can only come from the filter's broadcast state.
        JobSettings restored = settings(t, "restore", "--rule.exceptions-topic", t.control,
                "--flink.execution.state-recovery.path", savepoint);
        StreamExecutionEnvironment env2 = environment(restored);
        SecretReconJob.build(env2, restored);
        JobClient job2 = env2.executeAsync("exceptions-from-savepoint");
        running = job2.getJobID();
        try {
            awaitExceptionsInForce(job2.getJobID(), 1);
            produce(t, all, phase("p3", velero("p3", B.plus(60, MINUTES), "allow"),
                    mallory("p3", B.plus(60, MINUTES))));
            silenced.add("p3-velero");
            List<String> expected = expected(all, silenced);
            List<ConsumerRecord<byte[], byte[]>> committed = awaitAlerts(t, expected);

            assertExactlyOnce(committed, expected);
            assertThat(users(committed)).containsExactly(MALLORY);
            assertThat(sum(job2.getJobID(), "exception.velero-backups.hits")).isEqualTo(8);
        } finally {
            job2.cancel().get();
        }
    }

    // ---------------------------------------------------------------- a watched file

    @Test
    void aWatchedExceptionsFileChangesTheExceptionsWhileTheJobRuns() throws Exception {
        Topics t = topics("file");
        Path file = tmp.resolve("exceptions.ndjson");
        replace(file, "");
        JobSettings settings = settings(t, "file", "--rule.exceptions-file", file.toString(),
                "--rule.exceptions-poll-interval", "200ms");
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);
        List<Input> all = new ArrayList<>();
        Set<String> silenced = new HashSet<>();
        String entry = "{\"id\": \"velero-backups\", \"field\": \"source.ip\", \"operator\": \"ip in cidr\", \"values\":"
                + " [\"10.0.7.0/24\"], \"decision\": \"allow\", \"effective\": \"" + at(0) + "\", \"author\": \"jane\","
                + " \"comment\": \"the backup network\"}";

        JobClient job = env.executeAsync("exceptions-file");
        running = job.getJobID();
        try {
            replace(file, "# backups\n" + entry + "\n");
            awaitExceptionsInForce(job.getJobID(), 1);
            produce(t, all, phase("p1", velero("p1", B, "allow"), mallory("p1", B)));
            silenced.add("p1-velero");
            awaitAlerts(t, expected(all, silenced));

            replace(file, entry.replace("ip in cidr", "ip in range") + "\n");
            awaitDeadLetters(t, 1);
            replace(file, "");
            awaitExceptionsInForce(job.getJobID(), 0);
            produce(t, all, phase("p2", velero("p2", B.plus(30, MINUTES), "allow"),
                    mallory("p2", B.plus(30, MINUTES))));
            List<String> expected = expected(all, silenced);
            List<ConsumerRecord<byte[], byte[]>> committed = awaitAlerts(t, expected);

            assertExactlyOnce(committed, expected);
        } finally {
            job.cancel().get();
        }
        assertThat(deadLetters(t, 1)).singleElement().satisfies(d -> {
            assertThat(d.get("reason").asText()).isEqualTo("malformed-exception");
            assertThat(d.get("detail").asText()).startsWith("unknown operator 'ip in range'");
            assertThat(d.at("/source/file").asText()).isEqualTo(file.toString());
            assertThat(d.at("/source/line").asLong()).isEqualTo(1);
        });
    }

    // ---------------------------------------------------------------- the quiet profile

    @Test
    void theQuietProfileAlertsOnTheAttacksAndNotOnTheControllersAllowedReads() throws Exception {
        String in = "audit-quiet";
        createTopic(in, PARTITIONS);
        List<Input> records = new ArrayList<>();
        // controllers and kubelets reading secrets, allowed: routine
        records.addAll(burst("system:serviceaccount:cert-manager:cert-manager", "10.0.6.6", "cert-manager/v1.16.1",
                "cert", B, 10, "allow"));
        records.addAll(burst("system:node:node-a", "10.0.1.1", "kubelet/v1.31.2", "kubelet", B.plus(1, MINUTES), 6, "allow"));
        records.addAll(burst("system:serviceaccount:kube-system:generic-garbage-collector", "10.0.0.10",
                "kube-controller-manager/v1.31.2", "gc", B.plus(2, MINUTES), 5, "allow"));
        records.addAll(burst("system:kube-controller-manager", "10.0.0.10", "kube-controller-manager/v1.31.2", "kcm",
                B.plus(3, MINUTES), 5, "allow"));
        // attacks: a person (allowed), a compromised service account and a node (denied), a runner
        // probing (some denied), and a service account whose decision is missing
        records.addAll(burst(MALLORY, "198.51.100.66", "kubectl/v1.31.2", "mallory", B.plus(4, MINUTES), 5, "allow"));
        records.addAll(burst("system:serviceaccount:web:frontend", "10.0.9.9", "python-requests/2.32.3", "frontend",
                B.plus(5, MINUTES), 4, "forbid"));
        records.addAll(burst("system:node:node-b", "10.0.1.2", "curl/8.5.0", "node-b", B.plus(6, MINUTES), 3, "forbid"));
        records.addAll(burst("system:serviceaccount:ci:runner", "10.0.8.8", "kubectl/v1.31.2", "runner-denied",
                B.plus(7, MINUTES), 3, "forbid"));
        records.addAll(burst("system:serviceaccount:ci:runner", "10.0.8.8", "kubectl/v1.31.2", "runner-allowed",
                B.plus(7, MINUTES).plusSeconds(5), 3, "allow"));
        records.addAll(burst("system:serviceaccount:batch:reporter", "10.0.8.9", "reporter/1.0", "no-decision",
                B.plus(8, MINUTES), 3, null));
        records.sort(Comparator.comparingLong(Input::timestamp));
        KafkaRecords.produce(KAFKA.bootstrapServers(), in, records);
        Path file = Files.write(tmp.resolve("quiet.log"), lines(records));
        List<Kept> kept = ReferenceRule.kept(file);
        Set<String> quietUsers = Set.of("system:serviceaccount:cert-manager:cert-manager", "system:node:node-a",
                "system:serviceaccount:kube-system:generic-garbage-collector", "system:serviceaccount:ci:runner");

        List<String> expectedSeed = ReferenceDetector.continuous(kept, LOOKBACK, 3, UPDATE);
        List<Kept> quietKept = kept.stream()
                .filter(k -> !("allow".equals(k.decision()) && quietUsers.contains(k.user()))).collect(Collectors.toList());
        List<String> expectedQuiet = ReferenceDetector.continuous(quietKept, LOOKBACK, 3, UPDATE);

        List<ConsumerRecord<byte[], byte[]>> seed = replay(in, "seed", expectedSeed.size());
        List<ConsumerRecord<byte[], byte[]>> quiet = replay(in, "quiet", expectedQuiet.size());

        assertThat(canonical(seed)).containsExactlyElementsOf(expectedSeed);
        assertThat(users(seed)).as("seed alerts on the controllers too")
                .contains("system:serviceaccount:cert-manager:cert-manager", "system:node:node-a");
        assertThat(canonical(quiet)).containsExactlyElementsOf(expectedQuiet);
        assertThat(users(quiet)).as("quiet alerts on the attacks only").containsExactlyInAnyOrder(MALLORY,
                "system:serviceaccount:web:frontend", "system:node:node-b", "system:serviceaccount:ci:runner",
                "system:serviceaccount:batch:reporter");
        assertThat(quiet).filteredOn(r -> readTree(r.value()).at("/user/name").asText().equals("system:serviceaccount:ci:runner"))
                .allSatisfy(r -> assertThat(readTree(r.value()).at("/Esql/outcome").toString()).isEqualTo("[\"forbid\"]"));
    }

    private List<ConsumerRecord<byte[], byte[]>> replay(String in, String profile, int alertCount) throws Exception {
        String alerts = "alerts-quiet-" + profile;
        createTopic(alerts, 1);
        JobSettings settings = SecretReconJob.loadSettings(new String[] {"--source.type", "kafka",
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topics", in,
                "--kafka.group-id", "secret-recon-quiet-" + profile, "--kafka.starting-offsets", "earliest",
                "--kafka.stopping-offsets", "latest", "--sink.type", "kafka", "--kafka.alerts-topic", alerts,
                "--dead-letter.type", "stdout", "--rule.profile", profile});
        StreamExecutionEnvironment env = environment(settings);
        SecretReconJob.build(env, settings);
        env.execute("quiet-" + profile);
        return KafkaRecords.readCommitted(KAFKA.bootstrapServers(), alerts, r -> r.size() >= alertCount, WAIT);
    }

    // ---------------------------------------------------------------- traffic

    private static List<Input> velero(String phase, Instant start, String decision) {
        return burst(VELERO, "10.0.7.7", "velero/v1.14.0", phase + "-velero", start, 8, decision);
    }

    private static List<Input> mallory(String phase, Instant start) {
        return burst(MALLORY, "198.51.100.66", "kubectl/v1.31.2", phase + "-mallory", start.plusSeconds(30), 4, "allow");
    }

    /** {@code n} GETs of distinct secrets, 10 s apart; audit ids {@code tag-i}. */
    private static List<Input> burst(String user, String ip, String agent, String tag, Instant start, int n, String decision) {
        List<Input> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WorkloadGenerator.Event e = new WorkloadGenerator.Event();
            e.received = start.plusSeconds(10L * i).toEpochMilli();
            e.verb = "get";
            e.user = user;
            e.sourceIps = List.of(ip);
            e.userAgent = agent;
            e.resource = "secrets";
            e.namespace = "ns-" + (i % 3);
            e.name = tag + "-secret-" + i;
            e.decision = decision;
            e.code = "allow".equals(decision) ? 200 : 403;
            e.auditId = tag + "-" + i;
            out.add(new Input(WorkloadGenerator.raw(e).getBytes(StandardCharsets.UTF_8), e.received, i % PARTITIONS));
        }
        return out;
    }

    /**
     * A phase's bursts in time order, then a benign tick 20 minutes after the last event, so that
     * event time passes the phase and each of its incidents is emitted and closed.
     */
    @SafeVarargs
    private static List<Input> phase(String name, List<Input>... bursts) {
        List<Input> out = new ArrayList<>();
        for (List<Input> b : bursts) {
            out.addAll(b);
        }
        out.sort(Comparator.comparingLong(Input::timestamp));
        long tick = out.get(out.size() - 1).timestamp() + Duration.ofMinutes(20).toMillis();
        WorkloadGenerator.Event e = KafkaRecords.tickEvent(tick, "tick-" + name);
        out.add(new Input(WorkloadGenerator.raw(e).getBytes(StandardCharsets.UTF_8), tick, 0));
        return out;
    }

    /** One control record with its key and Kafka timestamp (the entry's default effective time). */
    private static void control(Topics t, String key, String value, Instant timestamp) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(t.control, 0, timestamp.toEpochMilli(), key, value)).get(60, TimeUnit.SECONDS);
        }
    }

    /** A phase into the streaming tests' audit topic (one partition, see {@link #settings}). */
    private static void produce(Topics t, List<Input> all, List<Input> records) throws Exception {
        List<Input> onePartition = new ArrayList<>();
        records.forEach(r -> onePartition.add(new Input(r.value(), r.timestamp(), 0)));
        KafkaRecords.produce(KAFKA.bootstrapServers(), t.in, onePartition);
        all.addAll(records);
    }

    /** The reference's alerts on every event so far, without those of the silenced bursts (by audit-id prefix). */
    private List<String> expected(List<Input> all, Set<String> silencedTags) throws IOException {
        Path file = Files.createTempFile(tmp, "events", ".log");
        Files.write(file, lines(all));
        Predicate<Kept> silenced = k -> silencedTags.stream().anyMatch(tag -> k.auditId().startsWith(tag + "-"));
        List<Kept> kept = ReferenceRule.kept(file).stream().filter(silenced.negate()).collect(Collectors.toList());
        return ReferenceDetector.continuous(kept, LOOKBACK, 3, UPDATE);
    }

    private static List<String> lines(List<Input> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
        return out;
    }

    private static String at(int minutes) {
        return B.plus(Duration.ofMinutes(minutes)).toString();
    }

    /** Writes the file's new version in one step, as an editor that saves by renaming does. */
    private void replace(Path file, String content) throws IOException {
        Path next = Files.writeString(Files.createTempFile(tmp, "exceptions", ".tmp"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---------------------------------------------------------------- job, tool and checks

    private record Topics(String in, String control, String alerts, String dlq) {}

    private static Topics topics(String name) throws Exception {
        Topics t = new Topics("audit-" + name, "exceptions-" + name, "alerts-" + name, "dlq-" + name);
        createTopic(t.in, 1);
        createTopic(t.control, 1);
        createTopic(t.alerts, 1);
        createTopic(t.dlq, 1);
        return t;
    }

    /**
     * Creates a topic and waits until every partition has a leader. (Like {@link KafkaBroker#createTopic},
     * which was seen failing when the broker answered describeTopics with UnknownTopicOrPartition
     * right after the creation: here that answer means "not yet".)
     */
    private static void createTopic(String name, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name);
                    if (d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty())) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + name + " has no leader for every partition after 60 s");
                }
                Thread.sleep(100); // polling the broker's metadata, bounded by the deadline
            }
        }
    }

    private static JobSettings settings(Topics t, String name, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--source.type", "kafka", "--sink.type", "kafka", "--dead-letter.type", "kafka",
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topics", t.in,
                "--kafka.group-id", "secret-recon-tuning-" + name, "--kafka.starting-offsets", "earliest",
                "--kafka.alerts-topic", t.alerts, "--kafka.dead-letter-topic", t.dlq,
                "--kafka.transactional-id-prefix", "secret-recon-tuning-" + name,
                "--kafka.transaction-timeout", "2min",
                // One audit partition, idle after 2 s without records: between phases the whole audit
                // input is idle, and the control stream must not release event time then. (With several
                // partitions, one that resumes after another has moved event time on would make late
                // events: Flink's idleness trade-off, which these tests keep out of the way.)
                "--watermark.idleness", "2s",
                "--flink.execution.runtime-mode", "STREAMING",
                "--flink.execution.checkpointing.interval", "500ms",
                "--flink.execution.checkpointing.timeout", "1min",
                "--flink.restart-strategy.type", "fixed-delay",
                "--flink.restart-strategy.fixed-delay.attempts", "1000",
                "--flink.restart-strategy.fixed-delay.delay", "1s"));
        args.addAll(List.of(extra));
        return SecretReconJob.loadSettings(args.toArray(new String[0]));
    }

    private static StreamExecutionEnvironment environment(JobSettings settings) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        return env;
    }

    /** Runs scripts/exceptions.sh's Java side against the test broker. */
    private static int tool(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", KAFKA.bootstrapServers()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ExceptionsTool.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all.toArray(new String[0]));
        assertThat(rc).as("exceptions.sh %s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8)).isZero();
        return rc;
    }

    /** Waits until every subtask of the filter has {@code n} exceptions in its broadcast state. */
    private static void awaitExceptionsInForce(JobID job, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Long> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = values(job, "exceptions");
            if (seen.size() == 2 && seen.stream().allMatch(v -> v == n)) {
                return;
            }
            Thread.sleep(100); // polling the gauges, bounded by the deadline
        }
        throw new AssertionError("the filter's subtasks did not reach " + n + " exceptions in " + WAIT + ": " + seen);
    }

    /**
     * The values of a metric of the job, one per subtask that registered it. {@code name} may go
     * through groups ({@code exception.velero.hits}). (Read group by group:
     * {@link InMemoryReporter#findMetrics} fails on chained operators' duplicate identifiers.)
     */
    private static List<Long> values(JobID job, String name) {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : REPORTER.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> m : g.getValue().entrySet()) {
                if (!g.getKey().getMetricIdentifier(m.getKey()).endsWith("." + name)) {
                    continue;
                }
                Metric metric = m.getValue();
                out.add(metric instanceof Counter ? ((Counter) metric).getCount()
                        : ((Number) ((Gauge<?>) metric).getValue()).longValue());
            }
        }
        return out;
    }

    private static long sum(JobID job, String name) {
        List<Long> v = values(job, name);
        assertThat(v).as("metric %s of every filter subtask", name).hasSize(2);
        return v.stream().mapToLong(Long::longValue).sum();
    }

    private static List<ConsumerRecord<byte[], byte[]>> awaitAlerts(Topics t, List<String> expected) {
        assertThat(expected).isNotEmpty();
        List<ConsumerRecord<byte[], byte[]>> committed = KafkaRecords.readCommitted(KAFKA.bootstrapServers(), t.alerts,
                r -> r.size() >= expected.size(), WAIT);
        assertThat(canonical(committed)).as("alerts committed so far; the job: %s", diagnostics())
                .containsExactlyElementsOf(expected);
        return committed;
    }

    /** The running job, for {@link #diagnostics()}. */
    private static volatile JobID running;

    /** Event time and counters of the running job, to explain a wait that timed out. */
    private static String diagnostics() {
        if (running == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("currentOutputWatermark", "eventsIn", "kept", "dropped-exception", "exceptions",
                "alertsEmitted", "lateEvents", "activeFingerprints")) {
            sb.append(name).append('=').append(values(running, name)).append(' ');
        }
        return sb.toString();
    }

    private static void awaitDeadLetters(Topics t, int n) {
        assertThat(deadLetters(t, n)).hasSize(n);
    }

    private static List<JsonNode> deadLetters(Topics t, int n) {
        List<JsonNode> out = new ArrayList<>();
        KafkaRecords.readCommitted(KAFKA.bootstrapServers(), t.dlq, r -> r.size() >= n, WAIT)
                .forEach(r -> out.add(readTree(r.value())));
        return out;
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

    private static Set<String> users(List<ConsumerRecord<byte[], byte[]>> alerts) {
        Set<String> out = new TreeSet<>();
        alerts.forEach(r -> out.add(readTree(r.value()).at("/user/name").asText()));
        return out;
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
