package io.secretrecon.detect;

import io.secretrecon.config.JobSettings;
import io.secretrecon.rule.Fingerprint;
import org.junit.jupiter.api.Test;

import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A BATCH run sorts the detector's input by a digest of the fingerprint. Two fingerprints that
 * shared one would have their events interleaved and each be seen as many short keys: the
 * detector must stop rather than give wrong alerts. A SHA-256 collision cannot be produced, so
 * the test gives the detector a sort key that makes every fingerprint collide.
 */
class BatchSortKeyTest {

    private static final DetectorSettings SETTINGS = JobSettings.defaultDetector(DetectionMode.CONTINUOUS);

    @Test
    void twoFingerprintsWithOneSortKeyStopTheJob() throws Exception {
        try (DetectorHarness d = new DetectorHarness(SETTINGS, key -> new byte[Fingerprint.DIGEST_BYTES])) {
            d.send(secretGet("alice", "a").at(minutes(0)), secretGet("alice", "b").at(minutes(1)));
            assertThatThrownBy(() -> d.send(secretGet("bob", "c").at(minutes(2))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("share one BATCH sort key")
                    .hasMessageContaining("STREAMING");
        }
    }

    @Test
    void withTheRealDigestEachKeysEventsInTurnGiveTheirAlerts() throws Exception {
        try (DetectorHarness d = new DetectorHarness(SETTINGS, Fingerprint::digest)) {
            d.send(secretGet("alice", "a").at(minutes(0)), secretGet("alice", "b").at(minutes(1)),
                    secretGet("alice", "c").at(minutes(2)));
            d.send(secretGet("bob", "a").at(minutes(0)), secretGet("bob", "b").at(minutes(1)),
                    secretGet("bob", "c").at(minutes(2)));
            d.endOfInput();
            assertThat(d.alerts()).extracting(a -> a.userName).containsExactlyInAnyOrder("alice", "bob");
        }
    }
}
