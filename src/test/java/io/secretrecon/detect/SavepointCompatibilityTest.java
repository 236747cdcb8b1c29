package io.secretrecon.detect;

import io.secretrecon.config.JobSettings;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertIds;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.fingerprintOf;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detector's state written by release 0.1 (snapshots committed under
 * {@code src/test/resources/savepoints}) restores in this build and the story goes on. If a
 * state layout changes, this test fails: give the state a new versioned name and migrate.
 *
 * <p>To write the fixtures anew (only for a deliberate format change):
 * {@code mvn test -Dtest=SavepointCompatibilityTest -Dsecretrecon.writeSnapshots=true}.
 */
class SavepointCompatibilityTest {

    private static final Path DIR = Path.of("src/test/resources/savepoints");
    private static final boolean WRITE = Boolean.getBoolean("secretrecon.writeSnapshots");

    @Test
    void anOpenEpisodeWithAPendingEventSurvivesARestore() throws Exception {
        Path snapshot = DIR.resolve("secret-burst-detector-v1-continuous.snapshot");
        DetectorSettings settings = JobSettings.defaultDetector(DetectionMode.CONTINUOUS);
        if (WRITE) {
            write(settings, snapshot, minutes(2),
                    secretGet("alice", "a").at(minutes(0)),
                    secretGet("alice", "b").at(minutes(1)),
                    secretGet("alice", "c").at(minutes(2)),
                    secretGet("alice", "d").at(minutes(3)));
        }
        try (KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> h = restore(settings, snapshot)) {
            h.processElement(record(secretGet("alice", "e").at(minutes(4))));
            h.processWatermark(Long.MAX_VALUE);

            List<Alert> alerts = h.extractOutputValues();
            assertThat(alerts).extracting(a -> a.revision).containsExactly(2, 3);
            assertThat(alerts).extracting(a -> a.timestamp).containsExactly(
                    minutes(3).toEpochMilli(), minutes(4).toEpochMilli());
            assertThat(alerts.get(1).secretsNames).containsExactly("a", "b", "c", "d", "e");
            assertThat(alerts.get(1).eventCount).isEqualTo(5);
            assertThat(alerts).extracting(a -> a.id)
                    .containsOnly(AlertIds.forEpisode(fingerprintOf("alice"), minutes(2).toEpochMilli()));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aWindowHalfFilledBeforeARestoreIsCompletedAfterIt() throws Exception {
        Path snapshot = DIR.resolve("secret-burst-detector-v1-windows.snapshot");
        DetectorSettings settings = JobSettings.defaultDetector(DetectionMode.WINDOWS);
        if (WRITE) {
            write(settings, snapshot, minutes(2),
                    secretGet("bob", "a").at(minutes(1)),
                    secretGet("bob", "b").at(minutes(2)));
        }
        try (KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> h = restore(settings, snapshot)) {
            h.processElement(record(secretGet("bob", "c").at(minutes(3))));
            h.processWatermark(Long.MAX_VALUE);

            assertThat(h.extractOutputValues()).singleElement().satisfies(a -> {
                assertThat(a.secretsNames).containsExactly("a", "b", "c");
                assertThat(a.windowStart).isEqualTo(minutes(0).toEpochMilli());
            });
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    private static void write(DetectorSettings settings, Path snapshot, Instant watermark, SecretGet... events)
            throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> h = harness(settings)) {
            h.setup();
            h.open();
            for (SecretGet e : events) {
                h.processElement(record(e));
            }
            h.processWatermark(watermark.toEpochMilli());
            OperatorSubtaskState state = h.snapshot(1L, 1L);
            Files.createDirectories(snapshot.getParent());
            OperatorSnapshotUtil.writeStateHandle(state, snapshot.toString());
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> restore(
            DetectorSettings settings, Path snapshot) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> h = harness(settings);
        h.setup();
        h.initializeState(OperatorSnapshotUtil.readStateHandle(snapshot.toString()));
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> harness(DetectorSettings settings)
            throws Exception {
        KeyedProcessOperator<Fingerprint, SecretGet, Alert> operator =
                new KeyedProcessOperator<>(new SecretBurstDetector(Detector.create(settings, () -> 0L), DetectorHarness.LATE));
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, SecretGet::fingerprint,
                TypeInformation.of(Fingerprint.class));
    }

    private static StreamRecord<SecretGet> record(SecretGet e) {
        return new StreamRecord<>(e, e.timestamp);
    }
}
