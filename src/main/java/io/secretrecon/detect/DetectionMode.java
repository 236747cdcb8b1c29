package io.secretrecon.detect;

/** How the detector turns a fingerprint's secret GETs into alerts (SPEC §5). */
public enum DetectionMode {
    /** Incident alerts: an episode per burst, revised as new secrets join it. */
    CONTINUOUS,
    /** Parity with Elastic's scheduled rule: one alert per hopping window that reaches the threshold. */
    WINDOWS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
