package io.secretrecon.detect;

import io.secretrecon.config.JobSettings;
import io.secretrecon.alert.Alert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code windows} mode (SPEC §5): windows [k*5m, k*5m + 6m), threshold 3. */
class WindowsDetectorTest {

    private DetectorHarness detector;

    @BeforeEach
    void setUp() throws Exception {
        detector = new DetectorHarness(JobSettings.defaultDetector(DetectionMode.WINDOWS));
    }

    @AfterEach
    void tearDown() throws Exception {
        detector.close();
    }

    @Test
    void aWindowReachingTheThresholdEmitsOneAlertAtItsEnd() throws Exception {
        // T0 is 10:00, a multiple of 5m: windows [10:00, 10:06) and [09:55, 10:01)
        detector.send(
                secretGet("alice", "a").at(minutes(1)),
                secretGet("alice", "b").in("payments").at(minutes(2)),
                secretGet("alice", "c").forbidden().at(minutes(3)),
                secretGet("alice", "c").at(minutes(4)));

        detector.watermark(minutes(6).minusMillis(2));
        assertThat(detector.alerts()).isEmpty();
        detector.watermark(minutes(6).minusMillis(1));
        assertThat(detector.alerts()).singleElement().satisfies(a -> {
            assertThat(a.mode).isEqualTo("windows");
            assertThat(a.timestamp).isEqualTo(minutes(6).toEpochMilli());
            assertThat(a.windowStart).isEqualTo(minutes(0).toEpochMilli());
            assertThat(a.windowEnd).isEqualTo(minutes(6).toEpochMilli());
            assertThat(a.revision).isEqualTo(1);
            assertThat(a.secretsNames).containsExactly("a", "b", "c");
            assertThat(a.namespaces).containsExactly("default", "payments");
            assertThat(a.outcomes).containsExactly("allow", "forbid");
            assertThat(a.eventCount).isEqualTo(4);
            assertThat(a.firstSeen).isEqualTo(minutes(1).toEpochMilli());
            assertThat(a.lastSeen).isEqualTo(minutes(4).toEpochMilli());
        });
    }

    @Test
    void aBurstInTheOverlapIsReportedByBothWindowsLikeTheScheduledRule() throws Exception {
        detector.send(
                secretGet("bob", "a").at(minutes(5.5)),
                secretGet("bob", "b").at(minutes(5.6)),
                secretGet("bob", "c").at(minutes(5.7)));
        detector.endOfInput();

        List<Alert> alerts = detector.alerts();
        assertThat(alerts).extracting(a -> a.windowStart)
                .containsExactly(minutes(0).toEpochMilli(), minutes(5).toEpochMilli());
        assertThat(alerts.get(0).id).isNotEqualTo(alerts.get(1).id);
        assertThat(detector.stateEntries()).isZero();
        assertThat(detector.timers()).isZero();
    }

    @Test
    void theWindowEndIsExclusive() throws Exception {
        detector.send(
                secretGet("carol", "a").at(minutes(4)),
                secretGet("carol", "b").at(minutes(5)),
                secretGet("carol", "c").at(minutes(6)));
        detector.endOfInput();
        // [10:00, 10:06) holds a and b; [10:05, 10:11) holds b and c
        assertThat(detector.alerts()).isEmpty();
    }

    @Test
    void theOffsetShiftsTheWindows() throws Exception {
        DetectorSettings shifted = new DetectorSettings(DetectionMode.WINDOWS, Duration.ofMinutes(6),
                Duration.ofMinutes(5), Duration.ofMinutes(2), 3, Duration.ofMinutes(1));
        try (DetectorHarness d = new DetectorHarness(shifted)) {
            d.send(
                    secretGet("dave", "a").at(minutes(4)),
                    secretGet("dave", "b").at(minutes(5)),
                    secretGet("dave", "c").at(minutes(6)));
            d.endOfInput();
            assertThat(d.alerts()).singleElement().satisfies(a -> {
                assertThat(a.windowStart).isEqualTo(minutes(2).toEpochMilli());
                assertThat(a.windowEnd).isEqualTo(minutes(8).toEpochMilli());
            });
        }
    }

    @Test
    void eventsBetweenWindowsAreIgnoredWhenTheLookbackIsShorterThanTheSlide() throws Exception {
        DetectorSettings gappy = new DetectorSettings(DetectionMode.WINDOWS, Duration.ofMinutes(2),
                Duration.ofMinutes(5), Duration.ZERO, 3, Duration.ofMinutes(1));
        try (DetectorHarness d = new DetectorHarness(gappy)) {
            d.send(
                    secretGet("eve", "a").at(minutes(1)),
                    secretGet("eve", "b").at(minutes(3)),
                    secretGet("eve", "c").at(minutes(4)),
                    secretGet("eve", "d").at(minutes(1.5)));
            d.endOfInput();
            assertThat(d.alerts()).isEmpty();
            assertThat(d.stateEntries()).isZero();
        }
    }

    @Test
    void stateIsKeptUntilTheLastWindowOfTheLastEventAndThenCleared() throws Exception {
        detector.send(secretGet("frank", "a").at(minutes(10.5)));
        assertThat(detector.timers()).as("one per window holding the event").isEqualTo(2);
        detector.watermark(minutes(11).minusMillis(1)); // [10:05, 10:11) done; [10:10, 10:16) not yet
        assertThat(detector.stateEntries()).isPositive();
        assertThat(detector.timers()).isEqualTo(1);
        detector.watermark(minutes(16).minusMillis(1));
        assertThat(detector.stateEntries()).isZero();
        assertThat(detector.timers()).isZero();
    }
}
