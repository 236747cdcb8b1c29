package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.rule.SecretGet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code detector.max-names-per-fingerprint}: past it a fingerprint's new names are not tracked,
 * the alert is still raised with every event counted, and it says that its name count is a lower
 * bound (README, "Bounds"). Here the bound is 5 names and the threshold 3.
 */
class NamesBoundTest {

    private static DetectorSettings settings(DetectionMode mode) {
        return new DetectorSettings(mode, Duration.ofMinutes(6), Duration.ofMinutes(5), Duration.ZERO, 3,
                Duration.ofMinutes(1), 5, 500, 128 * 1024);
    }

    @ParameterizedTest
    @EnumSource(InputOrder.class)
    void anEpisodePastTheBoundKeepsCountingEventsAndSaysItsCountIsALowerBound(InputOrder order) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings(DetectionMode.CONTINUOUS), order)) {
            List<SecretGet> events = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                events.add(secretGet("mallory", "s" + i).auditId("id-" + i).at(T0.plusSeconds(10L * i)));
            }
            d.send(events.toArray(new SecretGet[0]));
            d.endOfInput();

            List<Alert> alerts = d.alerts();
            assertThat(alerts).extracting(a -> a.revision).containsExactly(1, 2);
            assertThat(alerts.get(0).uniqueCredentialsLowerBound).isFalse();
            Alert last = alerts.get(1);
            assertThat(last.uniqueCredentials).isEqualTo(5);
            assertThat(last.secretsNames).containsExactly("s0", "s1", "s2", "s3", "s4");
            assertThat(last.eventCount).as("events of untracked names count").isEqualTo(8);
            assertThat(last.auditIds).contains("id-7");
            assertThat(last.uniqueCredentialsLowerBound).isTrue();
            assertThat(AlertJson.toJson(last)).contains("\"unique_credentials_lower_bound\":true");
            assertThat(d.stateEntries()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(InputOrder.class)
    void namesOfExpiredTrailsMakeRoomOutsideAnEpisode(InputOrder order) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings(DetectionMode.CONTINUOUS), order)) {
            // two names, then quiet for longer than the lookback while nothing closes (no episode)
            d.send(secretGet("bob", "old-1").at(minutes(0)), secretGet("bob", "old-2").at(minutes(0)));
            for (int i = 0; i < 5; i++) {
                d.send(secretGet("bob", "new-" + i).at(minutes(7)));
            }
            d.endOfInput();
            assertThat(d.alerts()).singleElement().satisfies(a -> {
                assertThat(a.secretsNames).containsExactly("new-0", "new-1", "new-2", "new-3", "new-4");
                assertThat(a.uniqueCredentialsLowerBound).isFalse();
            });
        }
    }

    @ParameterizedTest
    @EnumSource(InputOrder.class)
    void manyNewNamesAtOneTimeOpenAnEpisodeThatHoldsAllTheirEvents(InputOrder order) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings(DetectionMode.CONTINUOUS), order)) {
            for (int i = 0; i < 9; i++) {
                d.send(secretGet("eve", "n" + i).in("ns" + i).at(minutes(1)));
            }
            d.endOfInput();
            assertThat(d.alerts()).singleElement().satisfies(a -> {
                assertThat(a.uniqueCredentials).isEqualTo(5);
                assertThat(a.eventCount).isEqualTo(9);
                assertThat(a.namespaces).hasSize(9);
                assertThat(a.uniqueCredentialsLowerBound).isTrue();
            });
            assertThat(d.stateEntries()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(InputOrder.class)
    void windowsCountUntrackedEventsAndOnlyTheWindowsThatHoldThemAreMarked(InputOrder order) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings(DetectionMode.WINDOWS), order)) {
            // T0 = 10:00. Windows [09:55, 10:01), [10:00, 10:06), [10:05, 10:11), [10:10, 10:16)
            for (int i = 0; i < 5; i++) {
                d.send(secretGet("carol", "s" + i).at(minutes(0.5)));
            }
            d.send(secretGet("carol", "extra-1").at(minutes(4)), secretGet("carol", "extra-2").at(minutes(4)));
            if (order == InputOrder.WATERMARKED) {
                d.watermark(minutes(11)); // as a stream's would by then: the first names are gone
            }
            for (int i = 0; i < 3; i++) {
                d.send(secretGet("carol", "late-" + i).at(minutes(12)));
            }
            d.endOfInput();

            List<Alert> alerts = new ArrayList<>(d.alerts());
            alerts.sort((x, y) -> Long.compare(x.windowStart, y.windowStart));
            assertThat(alerts).extracting(a -> a.windowStart).containsExactly(
                    minutes(-5).toEpochMilli(), minutes(0).toEpochMilli(), minutes(10).toEpochMilli());
            assertThat(alerts.get(0).uniqueCredentialsLowerBound).isFalse();
            assertThat(alerts.get(0).eventCount).isEqualTo(5);
            assertThat(alerts.get(1).uniqueCredentialsLowerBound).isTrue();
            assertThat(alerts.get(1).uniqueCredentials).isEqualTo(5);
            assertThat(alerts.get(1).eventCount).isEqualTo(7);
            assertThat(alerts.get(2).uniqueCredentialsLowerBound).as("the bound no longer binds").isFalse();
            assertThat(alerts.get(2).secretsNames).containsExactly("late-0", "late-1", "late-2");
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).isZero();
        }
    }
}
