package io.secretrecon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.SecretReconJob;
import io.secretrecon.alert.AlertIds;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.detect.DetectionMode;
import io.secretrecon.detect.SecretBurstDetector;
import io.secretrecon.io.KafkaIo;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.testutil.KafkaBroker;
import io.secretrecon.testutil.KafkaRecords;
import io.secretrecon.testutil.KafkaRecords.Input;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.Savepoints;
import io.secretrecon.testutil.ThreadDumpOnTimeout;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A whole-job savepoint of release 0.1 restores in this build, by uid, and the job carries on
 * where it stopped. The fixtures ({@code src/test/resources/savepoints/whole-job-0.1/<mode>/}, one
 * per detection mode) are real savepoints of the production job graph as {@link SecretReconJob}
 * builds it for Kafka in and out: the Kafka source, the rule filter, the detector, the exactly-once
 * Kafka alert sink and the Kafka dead-letter sink, each under its uid from {@link Operators}.
 *
 * <p>The story, on a one-partition audit topic. Before the savepoint: eve GETs three secrets in
 * 20 s (an alert, committed, and her state is cleared once event time has passed her story);
 * mallory GETs two within six minutes (state held open across the savepoint: no alert yet); one
 * record is malformed (a dead letter). After it, on a broker that has never seen this job's topics
 * or transactions: the same records again (so the offsets are those the source state recorded),
 * then mallory's third secret, within her six minutes, and a burst by trudy. The restored job must
 * commit exactly mallory's and trudy's alerts, once each, under the ids {@link AlertIds} gives,
 * mallory's with her first two secrets (they come from the detector state alone), and neither
 * eve's alert nor the dead letter again (the source resumed at its restored offsets, not at
 * {@code earliest}). It is submitted with {@code allowNonRestoredState = false}, so state the job
 * graph has no operator for fails it; and the operator ids holding state in the savepoint must be
 * exactly those Flink derives from this build's stateful uids, so a renamed uid fails with its name.
 *
 * <p>Restoring against a fresh broker is safe by construction, and checked on the fixture before
 * the job runs. A {@code KafkaSink}'s committer keeps the committables of the transactions not yet
 * committed when the savepoint was taken, and commits them again on restore, before the job reads
 * anything ({@code CommitterOperator#initializeState}). On the broker that wrote them that is a
 * harmless retry. On one that never saw them the broker answers {@code InvalidPidMappingException},
 * which flink-connector-kafka 5.0's {@code KafkaCommitter} treats as an unknown failure ("data has
 * been potentially lost"): the job fails over, restores the same committable and fails again, until
 * its restart strategy gives up (seen here with a savepoint whose open transaction held an alert;
 * FLINK-39072 proposes treating it as a known failure). A writer hands its committer a committable
 * only for a transaction with records in it ({@code ExactlyOnceKafkaWriter#prepareCommit}), so the
 * fixture is written once everything the job writes for its input is committed and visible, and
 * the story leaves nothing to write until more records come; {@link #theFixtureHoldsNoTransactionToCommit}
 * decodes the committers' state and proves they hold nothing to commit. The writers' state keeps
 * the transactional-id prefix, which the job derives from its settings (group id, topics, mode):
 * both phases use the same settings, and the prefix in the state must be the one this build
 * derives from them.
 *
 * <p>Topic names, group ids and the prefix are fixed (the source state names its topic), so the
 * test needs a broker of its own: it is skipped with {@value KafkaBroker#BOOTSTRAP_ENV}.
 *
 * <p>To write the fixtures anew (only for a deliberate change of the job's state; the next release
 * adds fixtures of its own in a directory next to these, and keeps restoring these):
 * {@code mvn verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=WholeJobSavepointITCase
 * -Dsecretrecon.writeSnapshots=true}. Each mode's run then writes its fixture, restarts the broker
 * empty and restores the new fixture as above.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(ThreadDumpOnTimeout.class)
class WholeJobSavepointITCase {

    private static final Path FIXTURES = Path.of("src/test/resources/savepoints/whole-job-0.1");
    private static final boolean WRITE = Boolean.getBoolean("secretrecon.writeSnapshots");
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The operators of the Kafka-to-Kafka job that keep state, by uid; every other one keeps none. */
    private static final List<String> STATEFUL_UIDS = List.of(
            Operators.SOURCE_UID, // Kafka offsets; the enumerator's partitions
            Operators.DETECTOR_UID, // per fingerprint: names, pending events, status, timers
            Operators.alertSinkUid(OutputType.KAFKA), // the writer: its transactional-id prefix
            Savepoints.committerUid(Operators.alertSinkUid(OutputType.KAFKA)), // transactions to commit
            Operators.deadLetterSinkUid(OutputType.KAFKA),
            Savepoints.committerUid(Operators.deadLetterSinkUid(OutputType.KAFKA)));

    // ---------------------------------------------------------------- the story

    private static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    private static final Client EVE = new Client("eve@example.com", "198.51.100.23", "kubectl/v1.31.2");
    private static final Client MALLORY = new Client("mallory@example.com", "203.0.113.66", "python-requests/2.32.3");
    private static final Client TRUDY = new Client("trudy@example.com", "192.0.2.44", "curl/8.5.0");

    /** Audit records before the savepoint, in partition order: eve's burst, mallory's first two GETs, a bad record. */
    private static final List<Input> BEFORE = List.of(
            EVE.get("payments-db", at(0)),
            EVE.get("payments-api-key", at(10)),
            EVE.get("payments-tls", at(20)),
            MALLORY.get("ci-deploy-token", at(6 * 60)),
            MALLORY.get("registry-credentials", at(8 * 60 + 50)),
            new Input("{\"@timestamp\": \"2026-11-02T10:08:50Z\", \"event\": {\"dataset\": \"kubernetes.audit_logs\""
                    .getBytes(StandardCharsets.UTF_8), at(8 * 60 + 50).toEpochMilli(), 0));

    /** After it: mallory's third secret 4 minutes after her first, trudy's burst, and a tick that moves event time past all. */
    private static final List<Input> AFTER = List.of(
            MALLORY.get("vault-unseal-keys", at(10 * 60)),
            TRUDY.get("grafana-admin", at(20 * 60)),
            TRUDY.get("smtp-relay", at(20 * 60 + 10)),
            TRUDY.get("s3-backup-keys", at(20 * 60 + 20)),
            tick(at(30 * 60)));

    private static final List<String> MALLORY_SECRETS = List.of("ci-deploy-token", "registry-credentials", "vault-unseal-keys");

    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlotsReportingTo(REPORTER);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @EnumSource(DetectionMode.class)
    void aSavepointOfRelease01RestoresByUidAndTheJobCarriesOn(DetectionMode mode,
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        assumeFalse(KAFKA.isExternal(), "fixed topic names and transactional ids need a broker of the test's own");
        Scenario s = new Scenario(mode);
        Path fixture = FIXTURES.resolve(mode.label());
        if (WRITE) {
            write(client, s, fixture);
            KAFKA.restartEmpty();
        }
        assertThat(fixture.resolve("_metadata")).as("the committed fixture (see the class comment to write it)").isRegularFile();
        Path savepoint = tmp.resolve("fixture-copy");
        Savepoints.copy(fixture, savepoint); // elsewhere than where it was written: savepoints are relocatable
        CheckpointMetadata metadata = Savepoints.load(savepoint);
        theFixtureNeedsNoPathOfTheMachineThatWroteIt(metadata);
        theFixtureKeepsStateUnderTheIdsOfThisBuildsStatefulUids(metadata, s);
        theFixtureHoldsNoTransactionToCommit(metadata, s);

        s.createTopics();
        List<Input> all = new ArrayList<>(BEFORE);
        all.addAll(AFTER);
        KafkaRecords.produce(KAFKA.bootstrapServers(), s.audit, all);
        JobGraph graph = s.jobGraph(SavepointRestoreSettings.forPath(savepoint.toUri().toString(), false));
        JobID job = client.submitJob(graph).get(1, TimeUnit.MINUTES);
        try {
            awaitCommitted(client, job, s.alerts, r -> ids(r).containsAll(s.alertedAfter), "the alerts after the restore");
            client.stopWithSavepoint(job, false, tmp.resolve("after").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
        } catch (Exception | AssertionError e) {
            client.cancel(job);
            throw e;
        }
        assertThat(client.requestJobResult(job).get(1, TimeUnit.MINUTES).isSuccess()).as("the restored job stopped").isTrue();

        List<ConsumerRecord<byte[], byte[]>> alerts = KafkaRecords.readCommittedToEnd(KAFKA.bootstrapServers(), s.alerts, WAIT);
        assertThat(ids(alerts)).as("the alerts before the savepoint, again: the source did not resume at its restored offsets")
                .doesNotContainAnyElementsOf(s.alertedBefore)
                .as("every alert the restored job committed, each once")
                .containsExactlyInAnyOrderElementsOf(s.alertedAfter);
        assertThat(alerts).allSatisfy(r -> assertThat(json(r).at("/secret_recon/revision").asInt()).isOne());
        assertThat(alerts).filteredOn(r -> json(r).at("/user/name").asText().equals(MALLORY.user)).singleElement()
                .satisfies(r -> {
                    JsonNode a = json(r);
                    assertThat(a.at("/Esql/secrets_names")).as("mallory's secrets: two of them only in the restored state")
                            .extracting(JsonNode::asText).containsExactlyElementsOf(MALLORY_SECRETS);
                    assertThat(a.at("/secret_recon/event_count").asInt()).as("her GETs, none of them read twice").isEqualTo(3);
                });
        assertThat(KafkaRecords.readCommittedToEnd(KAFKA.bootstrapServers(), s.deadLetters, WAIT))
                .as("dead letters of the restored job (the malformed record was read before the savepoint)").isEmpty();
    }

    // ---------------------------------------------------------------- writing a fixture

    /**
     * Runs the job on {@link #BEFORE} until everything it will write for it is committed, then
     * stops it with a savepoint and makes that the fixture.
     */
    private void write(ClusterClient<?> client, Scenario s, Path fixture) throws Exception {
        s.createTopics();
        KafkaRecords.produce(KAFKA.bootstrapServers(), s.audit, BEFORE);
        JobID job = client.submitJob(s.jobGraph(SavepointRestoreSettings.none())).get(1, TimeUnit.MINUTES);
        String written;
        try {
            awaitCommitted(client, job, s.alerts, r -> ids(r).containsAll(s.alertedBefore), "eve's alerts");
            awaitCommitted(client, job, s.deadLetters, r -> !r.isEmpty(), "the malformed record's dead letter");
            // eve's story is over and her state gone; mallory's is open: nothing more to write
            awaitActiveFingerprints(job, 1);
            written = client.stopWithSavepoint(job, false, tmp.resolve("written").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        } catch (Exception | AssertionError e) {
            client.cancel(job);
            throw e;
        }
        assertThat(client.requestJobResult(job).get(1, TimeUnit.MINUTES).isSuccess()).as("the job stopped").isTrue();
        assertThat(ids(KafkaRecords.readCommittedToEnd(KAFKA.bootstrapServers(), s.alerts, WAIT)))
                .containsExactlyInAnyOrderElementsOf(s.alertedBefore);
        assertThat(KafkaRecords.readCommittedToEnd(KAFKA.bootstrapServers(), s.deadLetters, WAIT)).singleElement()
                .satisfies(r -> assertThat(json(r).at("/source/offset").asLong()).isEqualTo(BEFORE.size() - 1));

        if (Files.exists(fixture)) {
            try (Stream<Path> old = Files.walk(fixture)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        Savepoints.copy(Path.of(URI.create(written)), fixture);
    }

    // ---------------------------------------------------------------- the fixture itself

    /**
     * Every state handle is inline in {@code _metadata} or a path relative to it: nothing to find
     * at a path of the machine that wrote it (the names of inline handles are only names).
     */
    private static void theFixtureNeedsNoPathOfTheMachineThatWroteIt(CheckpointMetadata metadata) {
        assertThat(metadata.getMasterStates()).isEmpty();
        for (OperatorState operator : metadata.getOperatorStates()) {
            List<StreamStateHandle> handles = new ArrayList<>();
            if (operator.getCoordinatorState() != null) {
                handles.add(operator.getCoordinatorState());
            }
            for (OperatorSubtaskState subtask : operator.getStates()) {
                Stream.of(subtask.getManagedOperatorState(), subtask.getRawOperatorState()).flatMap(Collection::stream)
                        .map(OperatorStateHandle::getDelegateStateHandle).forEach(handles::add);
                for (KeyedStateHandle keyed : union(subtask.getManagedKeyedState(), subtask.getRawKeyedState())) {
                    assertThat(keyed).as("keyed state of %s", describe(operator)).isInstanceOf(KeyGroupsStateHandle.class);
                    handles.add(((KeyGroupsStateHandle) keyed).getDelegateStateHandle());
                }
                assertThat(subtask.getInputChannelState()).isEmpty();
                assertThat(subtask.getResultSubpartitionState()).isEmpty();
            }
            assertThat(handles).as("state handles of %s", describe(operator))
                    .allSatisfy(h -> assertThat(h).isInstanceOfAny(ByteStreamStateHandle.class, RelativeFileStateHandle.class));
        }
    }

    /**
     * The state in the savepoint is found by operator id, which Flink hashes from the uid: the ids
     * holding state are exactly those of this build's stateful uids, and this build's job graph
     * has an operator under each.
     */
    private static void theFixtureKeepsStateUnderTheIdsOfThisBuildsStatefulUids(CheckpointMetadata metadata, Scenario s) {
        Map<OperatorID, OperatorState> withState = new LinkedHashMap<>();
        metadata.getOperatorStates().stream().filter(Savepoints::hasState).forEach(o -> withState.put(o.getOperatorID(), o));
        Map<String, OperatorID> expected = new LinkedHashMap<>();
        STATEFUL_UIDS.forEach(uid -> expected.put(uid, Savepoints.operatorId(uid)));

        assertThat(expected.entrySet()).as("stateful uids of this build that find no state in the savepoint "
                        + "(a uid renamed since release 0.1 loses its operator's state)")
                .filteredOn(e -> !withState.containsKey(e.getValue())).extracting(Map.Entry::getKey).isEmpty();
        assertThat(withState.values()).as("state in the savepoint that none of this build's stateful uids claims")
                .filteredOn(o -> !expected.containsValue(o.getOperatorID()))
                .extracting(WholeJobSavepointITCase::describe).isEmpty();

        Set<OperatorID> inGraph = new TreeSet<>(Comparator.comparing(OperatorID::toString));
        for (JobVertex v : s.jobGraph(SavepointRestoreSettings.none()).getVertices()) {
            v.getOperatorIDs().stream().map(OperatorIDPair::getGeneratedOperatorID).forEach(inGraph::add);
        }
        assertThat(expected.entrySet()).as("stateful uids whose operator id is not in this build's job graph")
                .filteredOn(e -> !inGraph.contains(e.getValue())).extracting(Map.Entry::getKey).isEmpty();
    }

    /**
     * Neither committer would commit anything on restore (see the class comment for what happens
     * on a fresh broker if one did), and each writer's state has the transactional-id prefix this
     * build derives from the same settings and no transaction of its own to carry over.
     */
    private static void theFixtureHoldsNoTransactionToCommit(CheckpointMetadata metadata, Scenario s) throws Exception {
        Map<String, KafkaSink<?>> sinks = new LinkedHashMap<>();
        sinks.put(Operators.alertSinkUid(OutputType.KAFKA), KafkaIo.alertSink(s.settings.kafka(), DeliveryGuarantee.EXACTLY_ONCE));
        sinks.put(Operators.deadLetterSinkUid(OutputType.KAFKA),
                KafkaIo.deadLetterSink(s.settings.kafka(), DeliveryGuarantee.EXACTLY_ONCE));
        Map<String, String> prefixes = Map.of(
                Operators.alertSinkUid(OutputType.KAFKA), s.settings.kafka().transactionalIdPrefix() + "-alerts",
                Operators.deadLetterSinkUid(OutputType.KAFKA), s.settings.kafka().transactionalIdPrefix() + "-dead-letters");
        for (Map.Entry<String, KafkaSink<?>> sink : sinks.entrySet()) {
            String uid = sink.getKey();
            List<KafkaCommittable> toCommit = Savepoints.committablesCommittedOnRestore(
                    operator(metadata, Savepoints.committerUid(uid)), sink.getValue().getCommittableSerializer());
            assertThat(toCommit).as("transactions the committer of %s commits on restore: a broker that never saw them fails "
                    + "the job in a loop (write the fixture only once everything written is committed)", uid).isEmpty();

            List<KafkaWriterState> writers = Savepoints.listState(operator(metadata, uid), Savepoints.WRITER_STATE,
                    sink.getValue().getWriterStateSerializer()).values().stream().flatMap(List::stream).collect(Collectors.toList());
            assertThat(writers).as("writer state of %s", uid).isNotEmpty().allSatisfy(w -> {
                assertThat(w.getTransactionalIdPrefix()).as("the transactional-id prefix in the state of %s, against the one "
                        + "this build derives from the same settings", uid).isEqualTo(prefixes.get(uid));
                assertThat(w.getPrecommittedTransactionalIds()).isEmpty();
            });
        }
    }

    private static OperatorState operator(CheckpointMetadata metadata, String uid) {
        OperatorID id = Savepoints.operatorId(uid);
        return metadata.getOperatorStates().stream().filter(o -> o.getOperatorID().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no state for uid " + uid + " in the savepoint"));
    }

    private static String describe(OperatorState o) {
        return o.getOperatorID() + " (uid " + o.getOperatorUid().orElse("?") + ", " + o.getOperatorName().orElse("?") + ")";
    }

    private static List<KeyedStateHandle> union(Collection<KeyedStateHandle> a, Collection<KeyedStateHandle> b) {
        List<KeyedStateHandle> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---------------------------------------------------------------- one mode's job

    /** One detection mode's job: its topics and settings, and the alert ids the story gives. */
    private static final class Scenario {
        final String audit;
        final String alerts;
        final String deadLetters;
        final JobSettings settings;
        final List<String> alertedBefore;
        final List<String> alertedAfter;

        Scenario(DetectionMode mode) {
            String name = "whole-job-" + mode.label();
            audit = name + "-audit";
            alerts = name + "-alerts";
            deadLetters = name + "-dead-letters";
            // The same settings write and restore the fixture: the transactional-id prefix (left
            // to its default) is derived from them. One audit partition: event time is that
            // partition's alone, so no event is ever late, and a reader without a partition is idle
            // after 2 s.
            settings = SecretReconJob.loadSettings(new String[] {
                "--source.type", "kafka", "--sink.type", "kafka", "--dead-letter.type", "kafka",
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topics", audit,
                "--kafka.group-id", name, "--kafka.starting-offsets", "earliest",
                "--kafka.alerts-topic", alerts, "--kafka.dead-letter-topic", deadLetters,
                "--kafka.transaction-timeout", "2min",
                "--detector.mode", mode.label(),
                "--watermark.idleness", "2s",
                "--flink.execution.runtime-mode", "STREAMING",
                "--flink.execution.checkpointing.interval", "500ms",
                "--flink.execution.checkpointing.timeout", "1min",
                "--flink.restart-strategy.type", "none"});
            if (mode == DetectionMode.CONTINUOUS) {
                // an incident opens when event time passes the GET that makes three names
                alertedBefore = List.of(AlertIds.forEpisode(EVE.fingerprint(), at(20).toEpochMilli()));
                alertedAfter = List.of(AlertIds.forEpisode(MALLORY.fingerprint(), at(10 * 60).toEpochMilli()),
                        AlertIds.forEpisode(TRUDY.fingerprint(), at(20 * 60 + 20).toEpochMilli()));
            } else {
                // windows [k * 5m, k * 5m + 6m) with three names
                alertedBefore = List.of(window(EVE, -5 * 60), window(EVE, 0));
                alertedAfter = List.of(window(MALLORY, 5 * 60), window(TRUDY, 15 * 60), window(TRUDY, 20 * 60));
            }
        }

        private static String window(Client c, int startSeconds) {
            return AlertIds.forWindow(c.fingerprint(), at(startSeconds).toEpochMilli(), at(startSeconds + 6 * 60).toEpochMilli());
        }

        /** Topics of one partition, kept forever: the records' times are in the past, beyond the default retention. */
        void createTopics() throws Exception {
            for (String topic : List.of(audit, alerts, deadLetters)) {
                KAFKA.createTopic(topic, 1, Map.of("retention.ms", "-1"));
            }
        }

        /** The production job graph, built as {@code SecretReconJob.main} builds it, with parallelism 2. */
        JobGraph jobGraph(SavepointRestoreSettings restore) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    SecretReconJob.jobConfiguration(settings));
            env.setParallelism(2);
            SecretReconJob.build(env, settings);
            StreamGraph graph = env.getStreamGraph();
            graph.setSavepointRestoreSettings(restore);
            return graph.getJobGraph();
        }
    }

    /** A client of the API server: one fingerprint. */
    private record Client(String user, String ip, String agent) {
        Fingerprint fingerprint() {
            return new Fingerprint(user, user, ip, agent);
        }

        /** An ECS document of a GET of a secret, with its time as Kafka timestamp too. */
        Input get(String secret, Instant at) {
            WorkloadGenerator.Event e = new WorkloadGenerator.Event();
            e.received = at.toEpochMilli();
            e.verb = "get";
            e.user = user;
            e.sourceIps = List.of(ip);
            e.userAgent = agent;
            e.resource = "secrets";
            e.namespace = "prod";
            e.name = secret;
            e.auditId = user.substring(0, user.indexOf('@')) + "-" + secret;
            return new Input(WorkloadGenerator.ecs(e, 0, 0).getBytes(StandardCharsets.UTF_8), e.received, 0);
        }
    }

    /** A benign request (the rule drops it) that moves event time on. */
    private static Input tick(Instant at) {
        WorkloadGenerator.Event e = KafkaRecords.tickEvent(at.toEpochMilli(), "tick-" + at.toEpochMilli());
        return new Input(WorkloadGenerator.ecs(e, 0, 0).getBytes(StandardCharsets.UTF_8), e.received, 0);
    }

    private static Instant at(int secondsAfterT0) {
        return T0.plusSeconds(secondsAfterT0);
    }

    // ---------------------------------------------------------------- waiting and reading

    /**
     * Reads the topic (read_committed) until {@code done} holds; fails at once with the job's
     * failure if the job ends first, and with {@link TimeoutException} after {@link #WAIT}.
     */
    private static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(ClusterClient<?> client, JobID job, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> read = KafkaRecords.readCommitted(KAFKA.bootstrapServers(), topic, done,
                    Duration.ofSeconds(5));
            if (done.test(read)) {
                return read;
            }
            JobStatus status = client.getJobStatus(job).get(1, TimeUnit.MINUTES);
            if (status.isGloballyTerminalState()) {
                JobResult result = client.requestJobResult(job).get(1, TimeUnit.MINUTES);
                throw new AssertionError("waiting for " + what + " in " + topic + ": the job ended " + status,
                        result.getSerializedThrowable().map(t -> t.deserializeError(WholeJobSavepointITCase.class.getClassLoader()))
                                .orElse(null));
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(what + " not committed to " + topic + " within " + WAIT + "; committed: " + keys(read));
            }
        }
    }

    /** Waits until the detector's subtasks hold state for {@code n} fingerprints in all. */
    private static void awaitActiveFingerprints(JobID job, long n) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Long> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = gauges(job, SecretBurstDetector.METRIC_ACTIVE);
            if (seen.size() == 2 && seen.stream().mapToLong(Long::longValue).sum() == n) {
                return;
            }
            Thread.sleep(100); // polling the gauges, bounded by the deadline
        }
        throw new TimeoutException("the detector did not come to " + n + " active fingerprints within " + WAIT + ": " + seen);
    }

    /** The values of a gauge of the job, one per subtask that registered it. */
    private static List<Long> gauges(JobID job, String name) {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : REPORTER.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            Metric m = g.getValue().get(name);
            if (m instanceof Gauge) {
                out.add(((Number) ((Gauge<?>) m).getValue()).longValue());
            }
        }
        return out;
    }

    /** The record keys: an alert's id, a dead letter's origin. */
    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static List<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> json(r).at("/kibana/alert/uuid").asText()).collect(Collectors.toList());
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
