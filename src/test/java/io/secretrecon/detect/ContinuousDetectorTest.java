package io.secretrecon.detect;

import io.secretrecon.config.JobSettings;
import io.secretrecon.alert.Alert;
import io.secretrecon.event.EventTimes;
import io.secretrecon.rule.SecretGet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code continuous} mode (SPEC §5) with lookback 6m, threshold 3, update interval 1m. */
class ContinuousDetectorTest {

    private DetectorHarness detector;

    @BeforeEach
    void setUp() throws Exception {
        detector = new DetectorHarness(JobSettings.defaultDetector(DetectionMode.CONTINUOUS));
    }

    @AfterEach
    void tearDown() throws Exception {
        detector.close();
    }

    @Test
    void threeDistinctSecretsOpenAnEpisodeWhenTheWatermarkPassesTheThird() throws Exception {
        detector.send(
                secretGet("alice", "db-password").at(minutes(0)),
                secretGet("alice", "api-token").in("payments").at(minutes(1)),
                secretGet("alice", "tls-key").forbidden().at(minutes(2)));

        detector.watermark(minutes(2).minusMillis(1));
        assertThat(detector.alerts()).isEmpty();

        detector.watermark(minutes(2));
        assertThat(detector.alerts()).singleElement().satisfies(a -> {
            assertThat(a.timestamp).isEqualTo(minutes(2).toEpochMilli());
            assertThat(a.revision).isEqualTo(1);
            assertThat(a.mode).isEqualTo("continuous");
            assertThat(a.uniqueCredentials).isEqualTo(3);
            assertThat(a.secretsNames).containsExactly("api-token", "db-password", "tls-key");
            assertThat(a.namespaces).containsExactly("default", "payments");
            assertThat(a.outcomes).containsExactly("allow", "forbid");
            assertThat(a.userName).isEqualTo("alice");
            assertThat(a.windowStart).isEqualTo(minutes(0).toEpochMilli());
            assertThat(a.windowEnd).isEqualTo(minutes(2).toEpochMilli());
            assertThat(a.firstSeen).isEqualTo(minutes(0).toEpochMilli());
            assertThat(a.lastSeen).isEqualTo(minutes(2).toEpochMilli());
            assertThat(a.eventCount).isEqualTo(3);
            assertThat(a.auditIds).hasSize(3).isSorted();
            assertThat(a.created).isEqualTo(DetectorHarness.CREATED);
        });
    }

    @Test
    void twoSecretsAreNoAlertAndTheKeyLeavesNoStateOrTimers() throws Exception {
        detector.send(
                secretGet("bob", "a").at(minutes(0)),
                secretGet("bob", "b").at(minutes(1)),
                secretGet("bob", "a").at(minutes(2)));

        detector.watermark(minutes(2));
        assertThat(detector.stateEntries()).isPositive();

        detector.watermark(minutes(8).minusMillis(1));
        assertThat(detector.timers()).isPositive();

        detector.watermark(minutes(8));
        assertThat(detector.alerts()).isEmpty();
        assertThat(detector.stateEntries()).isZero();
        assertThat(detector.timers()).isZero();
    }

    @Test
    void theTrailingWindowIsLeftOpenSoEventsExactlyOneLookbackApartDoNotCount() throws Exception {
        detector.send(
                secretGet("carol", "a").at(minutes(0)),
                secretGet("carol", "b").at(minutes(3)),
                secretGet("carol", "c").at(minutes(6)));
        detector.endOfInput();
        assertThat(detector.alerts()).isEmpty();
    }

    @Test
    void oneMillisecondInsideTheLookbackCounts() throws Exception {
        detector.send(
                secretGet("carol", "a").at(minutes(0)),
                secretGet("carol", "b").at(minutes(3)),
                secretGet("carol", "c").at(minutes(6).minusMillis(1)));
        detector.endOfInput();
        assertThat(detector.alerts()).singleElement().extracting(a -> a.uniqueCredentials).isEqualTo(3L);
    }

    @Test
    void anEpisodeOpensWithTheEventsOfTheTrailingWindowOnly() throws Exception {
        detector.send(
                secretGet("dave", "a").at(minutes(0)),
                secretGet("dave", "b").at(minutes(5)),
                secretGet("dave", "c").at(minutes(7)),
                secretGet("dave", "d").at(minutes(8)));
        detector.endOfInput();

        assertThat(detector.alerts()).singleElement().satisfies(a -> {
            assertThat(a.timestamp).isEqualTo(minutes(8).toEpochMilli());
            assertThat(a.secretsNames).containsExactly("b", "c", "d");
            assertThat(a.firstSeen).isEqualTo(minutes(5).toEpochMilli());
            assertThat(a.eventCount).isEqualTo(3);
        });
    }

    @Test
    void aFortySecretBurstGivesThreeRevisionsNotForty() throws Exception {
        List<SecretGet> burst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            burst.add(secretGet("eve", "secret-" + i).at(T0.plusSeconds(2L * i)));
        }
        detector.send(burst.toArray(new SecretGet[0]));
        detector.endOfInput();

        List<Alert> alerts = detector.alerts();
        assertThat(alerts).extracting(a -> a.revision).containsExactly(1, 2, 3);
        assertThat(alerts).extracting(a -> a.timestamp).containsExactly(
                T0.plusSeconds(4).toEpochMilli(),     // the third name
                T0.plusSeconds(64).toEpochMilli(),    // first emission + update interval
                T0.plusSeconds(124).toEpochMilli());  // and again: names joined after 64 s
        assertThat(alerts).extracting(a -> a.uniqueCredentials).containsExactly(3L, 33L, 40L);
        assertThat(alerts).extracting(a -> a.id).containsOnly(alerts.get(0).id);
        assertThat(alerts.get(2).auditIds).hasSize(Tally.MAX_AUDIT_IDS).isSorted();
        assertThat(detector.stateEntries()).isZero();
        assertThat(detector.timers()).isZero();
    }

    @Test
    void aNewNameAfterTheUpdateIntervalIsEmittedAtOnce() throws Exception {
        detector.send(
                secretGet("eve", "a").at(minutes(0)),
                secretGet("eve", "b").at(minutes(0.1)),
                secretGet("eve", "c").at(minutes(0.2)),
                secretGet("eve", "d").at(minutes(3)));
        detector.watermark(minutes(3));
        assertThat(detector.alerts()).extracting(a -> a.timestamp)
                .containsExactly(minutes(0.2).toEpochMilli(), minutes(3).toEpochMilli());
    }

    @Test
    void repeatedNamesJoinTheEpisodeWithoutARevision() throws Exception {
        detector.send(
                secretGet("eve", "a").at(minutes(0)),
                secretGet("eve", "b").at(minutes(0.1)),
                secretGet("eve", "c").at(minutes(0.2)),
                secretGet("eve", "a").at(minutes(2)),
                secretGet("eve", "b").at(minutes(4)));
        detector.endOfInput();
        assertThat(detector.alerts()).singleElement().extracting(a -> a.revision).isEqualTo(1);
    }

    @Test
    void theEpisodeClosesAfterAQuietLookbackAndALaterBurstIsANewIncident() throws Exception {
        detector.send(
                secretGet("frank", "a").at(minutes(0)),
                secretGet("frank", "b").at(minutes(1)),
                secretGet("frank", "c").at(minutes(2)),
                secretGet("frank", "a").at(minutes(8)), // joins: no event for 6m has not passed yet (2m + 6m)
                secretGet("frank", "x").at(minutes(20)),
                secretGet("frank", "y").at(minutes(21)),
                secretGet("frank", "z").at(minutes(22)));
        detector.watermark(minutes(14).minusMillis(1));
        assertThat(detector.stateEntries()).isPositive();
        detector.watermark(minutes(14));
        assertThat(detector.alerts()).hasSize(1);
        assertThat(detector.stateEntries())
                .as("only the pending events after the close are kept")
                .isPositive();
        detector.endOfInput();

        List<Alert> alerts = detector.alerts();
        assertThat(alerts).extracting(a -> a.revision).containsExactly(1, 1);
        assertThat(alerts.get(0).id).isNotEqualTo(alerts.get(1).id);
        assertThat(alerts.get(1).secretsNames).containsExactly("x", "y", "z");
        assertThat(detector.stateEntries()).isZero();
        assertThat(detector.timers()).isZero();
    }

    @Test
    void aChangeStillPendingAtTheCloseIsEmittedAsTheLastRevision() throws Exception {
        DetectorSettings longInterval = new DetectorSettings(DetectionMode.CONTINUOUS, Duration.ofMinutes(6),
                Duration.ofMinutes(5), Duration.ZERO, 3, Duration.ofMinutes(30));
        try (DetectorHarness d = new DetectorHarness(longInterval)) {
            d.send(
                    secretGet("gina", "a").at(minutes(0)),
                    secretGet("gina", "b").at(minutes(1)),
                    secretGet("gina", "c").at(minutes(2)),
                    secretGet("gina", "d").at(minutes(3)));
            d.watermark(minutes(9));
            assertThat(d.alerts()).extracting(a -> a.revision).containsExactly(1, 2);
            assertThat(d.alerts().get(1).timestamp).isEqualTo(minutes(9).toEpochMilli());
            assertThat(d.alerts().get(1).uniqueCredentials).isEqualTo(4);
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).as("the revision timer past the close is deleted").isZero();
        }
    }

    @Test
    void eventsAtATimeApplyBeforeTheCloseAtThatTime() throws Exception {
        detector.send(
                secretGet("hank", "a").at(minutes(0)),
                secretGet("hank", "b").at(minutes(1)),
                secretGet("hank", "c").at(minutes(2)),
                secretGet("hank", "d").at(minutes(8))); // exactly at the close time 2m + 6m
        detector.endOfInput();
        assertThat(detector.alerts()).extracting(a -> a.revision).containsExactly(1, 2);
        assertThat(detector.alerts().get(1).secretsNames).containsExactly("a", "b", "c", "d");
    }

    @Test
    void outOfOrderArrivalWithinTheWatermarkGivesTheSameAlerts() throws Exception {
        detector.send(
                secretGet("ivy", "c").auditId("3").at(minutes(2)),
                secretGet("ivy", "a").auditId("1").at(minutes(0)),
                secretGet("ivy", "b").auditId("2").at(minutes(1)));
        detector.watermark(minutes(3));
        assertThat(detector.alerts()).singleElement().satisfies(a -> {
            assertThat(a.timestamp).isEqualTo(minutes(2).toEpochMilli());
            assertThat(a.auditIds).containsExactly("1", "2", "3");
        });
    }

    @Test
    void anEventAtOrBehindTheWatermarkIsLateAndDeadLettered() throws Exception {
        detector.watermark(minutes(5));
        detector.send(secretGet("jack", "a").at(minutes(5)), secretGet("jack", "b").at(minutes(4)));
        assertThat(detector.deadLetters()).hasSize(2).allSatisfy(d -> {
            assertThat(d.reason).isEqualTo("late");
            assertThat(d.detail).contains(EventTimes.format(minutes(5).toEpochMilli()));
            assertThat(d.origin).isNotNull();
        });
        assertThat(detector.stateEntries()).isZero();
    }

    @Test
    void fingerprintsAreIndependent() throws Exception {
        detector.send(
                secretGet("kim", "a").at(minutes(0)),
                secretGet("kim", "b").at(minutes(1)),
                secretGet("kim", "c").from("203.0.113.9").at(minutes(2)),
                secretGet("kim", "d").agent(null).at(minutes(2)));
        detector.endOfInput();
        assertThat(detector.alerts()).isEmpty();
    }

    @Test
    void eachFingerprintGetsItsOwnIncident() throws Exception {
        Instant t = minutes(0);
        for (String user : new String[] {"lea", "max"}) {
            detector.send(
                    secretGet(user, "a").at(t),
                    secretGet(user, "b").at(t.plusSeconds(1)),
                    secretGet(user, "c").at(t.plusSeconds(2)));
        }
        detector.endOfInput();
        assertThat(detector.alerts()).extracting(a -> a.userName).containsExactlyInAnyOrder("lea", "max");
        assertThat(detector.stateEntries()).isZero();
    }
}
