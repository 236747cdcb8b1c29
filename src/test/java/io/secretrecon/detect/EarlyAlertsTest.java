package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertIds;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.JobSettings;
import io.secretrecon.rule.SecretGet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.fingerprintOf;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code detector.early-alerts}: provisional alerts at arrival, confirmed or withdrawn by the watermark. */
class EarlyAlertsTest {

    private static final DetectorSettings EARLY =
            JobSettings.defaultDetector(DetectionMode.CONTINUOUS).withEarlyAlerts(true);

    private static long ms(Instant t) {
        return t.toEpochMilli();
    }

    @Test
    void theCrossingEventGivesAProvisionalAlertAtOnceAndTheWatermarkConfirmsItUnderTheSameId() throws Exception {
        try (DetectorHarness d = new DetectorHarness(EARLY)) {
            d.send(secretGet("alice", "a").at(minutes(0)), secretGet("alice", "b").at(minutes(1)));
            assertThat(d.alerts()).isEmpty();

            d.send(secretGet("alice", "c").in("payments").at(minutes(2)));
            assertThat(d.alerts()).singleElement().satisfies(p -> {
                assertThat(p.status).isEqualTo(Alert.PROVISIONAL);
                assertThat(p.revision).isZero();
                assertThat(p.id).isEqualTo(AlertIds.forEpisode(fingerprintOf("alice"), ms(minutes(2))));
                assertThat(p.timestamp).isEqualTo(ms(minutes(2)));
                assertThat(p.secretsNames).containsExactly("a", "b", "c");
                assertThat(p.namespaces).containsExactly("default", "payments");
                assertThat(p.eventCount).isEqualTo(3);
                assertThat(AlertJson.toJson(p)).contains("\"status\":\"provisional\"");
            });

            d.watermark(minutes(2));
            List<Alert> alerts = d.alerts();
            assertThat(alerts).hasSize(2);
            Alert confirmed = alerts.get(1);
            assertThat(confirmed.status).isNull();
            assertThat(confirmed.revision).isEqualTo(1);
            assertThat(confirmed.id).isEqualTo(alerts.get(0).id);
            assertThat(AlertJson.toJson(confirmed)).doesNotContain("\"status\"");

            d.watermark(minutes(20));
            assertThat(d.alerts()).hasSize(2);
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).isZero();
        }
    }

    @Test
    void anEarlierEventArrivingLateMovesTheEpisodeAndTheFirstProvisionalIdIsWithdrawn() throws Exception {
        try (DetectorHarness d = new DetectorHarness(EARLY)) {
            d.send(secretGet("bob", "a").at(minutes(1)), secretGet("bob", "b").at(minutes(2)),
                    secretGet("bob", "c").at(minutes(4)));
            // Out of order, but ahead of the watermark: the episode now opens at 3m.
            d.send(secretGet("bob", "d").at(minutes(3)));
            d.endOfInput();

            String at3 = AlertIds.forEpisode(fingerprintOf("bob"), ms(minutes(3)));
            String at4 = AlertIds.forEpisode(fingerprintOf("bob"), ms(minutes(4)));
            List<String> seen = new ArrayList<>();
            d.alerts().forEach(a -> seen.add((a.id.equals(at3) ? "3m" : a.id.equals(at4) ? "4m" : a.id) + " "
                    + (a.status == null ? "revision " + a.revision : a.status)));
            assertThat(seen).containsExactly(
                    "4m provisional",
                    "3m provisional",
                    "3m revision 1",
                    "4m withdrawn",
                    "3m revision 2");
            Alert withdrawal = d.alerts().get(3);
            assertThat(withdrawal.storeVersion()).isEqualTo(1);
            assertThat(withdrawal.uniqueCredentials).isZero();
            assertThat(withdrawal.userName).isEqualTo("bob");
            assertThat(AlertJson.toJson(withdrawal)).contains("\"status\":\"withdrawn\"");
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).isZero();
        }
    }

    @Test
    void anEventThatJoinsAnOpenEpisodeAnnouncesNothing() throws Exception {
        try (DetectorHarness d = new DetectorHarness(EARLY)) {
            d.send(secretGet("carol", "a").at(minutes(0)), secretGet("carol", "b").at(minutes(1)),
                    secretGet("carol", "c").at(minutes(2)));
            d.watermark(minutes(2));
            d.send(secretGet("carol", "d").at(minutes(3)), secretGet("carol", "e").at(minutes(4)));
            assertThat(d.alerts()).extracting(a -> a.status).containsExactly(Alert.PROVISIONAL, null);
        }
    }

    @Test
    void aKeyWithMoreStateThanTheCheckMayCopyGetsOnlyTheConfirmedAlert() throws Exception {
        try (DetectorHarness d = new DetectorHarness(EARLY)) {
            long t = ms(minutes(0));
            for (int i = 0; i < ContinuousDetector.EARLY_CHECK_BUDGET; i++) {
                d.send(secretGet("dave", "same").at(Instant.ofEpochMilli(t + i)));
            }
            d.send(secretGet("dave", "b").at(minutes(1)), secretGet("dave", "c").at(minutes(2)));
            assertThat(d.alerts()).isEmpty();

            d.watermark(minutes(2));
            assertThat(d.alerts()).singleElement().satisfies(a -> {
                assertThat(a.status).isNull();
                assertThat(a.uniqueCredentials).isEqualTo(3);
            });
        }
    }

    @Test
    void aSortedInput_BATCH_neverGetsProvisionalAlerts() throws Exception {
        try (DetectorHarness d = new DetectorHarness(EARLY, InputOrder.SORTED_PER_KEY)) {
            SecretGet[] events = {secretGet("erin", "a").at(minutes(0)), secretGet("erin", "b").at(minutes(1)),
                    secretGet("erin", "c").at(minutes(2))};
            d.send(events).endOfInput();
            assertThat(d.alerts()).singleElement().satisfies(a -> assertThat(a.status).isNull());
        }
    }

    @Test
    void earlyAlertsNeedTheContinuousMode() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> JobSettings.defaultDetector(DetectionMode.WINDOWS).withEarlyAlerts(true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
