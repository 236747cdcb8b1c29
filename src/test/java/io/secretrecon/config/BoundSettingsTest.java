package io.secretrecon.config;

import io.secretrecon.detect.DetectorSettings;
import io.secretrecon.rule.SecretGetBounds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounds' settings (README, "Bounds"): defaults, wiring, and refusals that name the key. */
class BoundSettingsTest {

    @Test
    void theDefaultsAreTheReadmes() {
        JobSettings s = settings();
        DetectorSettings d = s.detector();
        SecretGetBounds b = s.rule().bounds();

        assertThat(d.maxNamesPerFingerprint()).isEqualTo(10_000);
        assertThat(d.maxAlertValues()).isEqualTo(500);
        assertThat(d.maxAlertListBytes()).isEqualTo(128 * 1024);
        assertThat(b.maxFieldLength()).isEqualTo(512);
        assertThat(b.maxUserAgents()).isEqualTo(16);
        assertThat(JobSettings.defaultDetector(d.mode()).maxNamesPerFingerprint()).isEqualTo(10_000);
        assertThat(JobSettings.defaultRule().bounds().maxFieldLength()).isEqualTo(512);
    }

    @Test
    void everyBoundCanBeSet() {
        JobSettings s = settings("--detector.max-names-per-fingerprint", "50", "--alert.max-values", "20",
                "--alert.max-list-bytes", "4kb", "--detector.max-field-length", "64",
                "--detector.max-user-agents-per-event", "2");
        assertThat(s.detector().maxNamesPerFingerprint()).isEqualTo(50);
        assertThat(s.detector().maxAlertValues()).isEqualTo(20);
        assertThat(s.detector().maxAlertListBytes()).isEqualTo(4096);
        assertThat(s.rule().bounds().maxFieldLength()).isEqualTo(64);
        assertThat(s.rule().bounds().maxUserAgents()).isEqualTo(2);
    }

    @Test
    void boundsThatCannotWorkAreRefusedNamingTheKey() {
        assertRefused("detector.max-names-per-fingerprint", "--detector.threshold", "5",
                "--detector.max-names-per-fingerprint", "4");
        assertRefused("detector.max-field-length", "--detector.max-field-length", "31");
        assertRefused("detector.max-user-agents-per-event", "--detector.max-user-agents-per-event", "0");
        assertRefused("alert.max-values", "--alert.max-values", "0");
        assertRefused("alert.max-values", "--alert.max-values", String.valueOf(Integer.MAX_VALUE));
        assertRefused("alert.max-list-bytes", "--alert.max-list-bytes", "10b");
    }

    private static JobSettings settings(String... args) {
        return JobSettings.from(new RawSettings().put("source.path", "/var/log/kubernetes/audit", "test").applyArguments(args));
    }

    private static void assertRefused(String key, String... args) {
        assertThatThrownBy(() -> settings(args)).isInstanceOf(ConfigException.class).hasMessageStartingWith(key + ":");
    }
}
