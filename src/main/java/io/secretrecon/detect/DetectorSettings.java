package io.secretrecon.detect;

import java.io.Serializable;
import java.time.Duration;

/**
 * The detector's constants, in milliseconds of event time, and its bounds (README, "Bounds").
 * Their defaults are defined with the settings, in {@code config.Settings}.
 */
public final class DetectorSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DetectionMode mode;
    private final long lookback;
    private final long slide;
    private final long offset;
    private final int threshold;
    private final long updateInterval;
    private final int maxNamesPerFingerprint;
    private final int maxAlertValues;
    private final long maxAlertListBytes;
    private final boolean earlyAlerts;

    /** Without bounds: every name is tracked and every value written (tests, and nothing else). */
    public DetectorSettings(DetectionMode mode, Duration lookback, Duration slide, Duration offset, int threshold,
            Duration updateInterval) {
        this(mode, lookback, slide, offset, threshold, updateInterval, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
                Long.MAX_VALUE);
    }

    /**
     * @param maxNamesPerFingerprint the most distinct secret names a fingerprint's state holds; at
     *     least {@code threshold}
     * @param maxAlertValues the most values an alert writes in each of its name, namespace and
     *     outcome lists
     * @param maxAlertListBytes the most bytes of JSON an alert spends on each of those lists
     */
    public DetectorSettings(DetectionMode mode, Duration lookback, Duration slide, Duration offset, int threshold,
            Duration updateInterval, int maxNamesPerFingerprint, int maxAlertValues, long maxAlertListBytes) {
        if (lookback.toMillis() <= 0 || slide.toMillis() <= 0) {
            throw new IllegalArgumentException("lookback and slide must be at least 1 ms");
        }
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        if (maxNamesPerFingerprint < threshold) {
            throw new IllegalArgumentException("the names tracked per fingerprint must be at least the threshold");
        }
        if (maxAlertValues < 1 || maxAlertValues == Integer.MAX_VALUE || maxAlertListBytes < 1) {
            throw new IllegalArgumentException("an alert must be able to write one value of each list");
        }
        this.mode = mode;
        this.lookback = lookback.toMillis();
        this.slide = slide.toMillis();
        this.offset = offset.toMillis();
        this.threshold = threshold;
        this.updateInterval = updateInterval.toMillis();
        this.maxNamesPerFingerprint = maxNamesPerFingerprint;
        this.maxAlertValues = maxAlertValues;
        this.maxAlertListBytes = maxAlertListBytes;
        this.earlyAlerts = false;
    }

    private DetectorSettings(DetectorSettings o, boolean earlyAlerts) {
        this.mode = o.mode;
        this.lookback = o.lookback;
        this.slide = o.slide;
        this.offset = o.offset;
        this.threshold = o.threshold;
        this.updateInterval = o.updateInterval;
        this.maxNamesPerFingerprint = o.maxNamesPerFingerprint;
        this.maxAlertValues = o.maxAlertValues;
        this.maxAlertListBytes = o.maxAlertListBytes;
        this.earlyAlerts = earlyAlerts;
    }

    /**
     * These settings with early alerts on or off: in {@code continuous} mode over a watermarked
     * (STREAMING) input, a provisional alert as soon as the events that have arrived cross the
     * threshold, before the watermark confirms it.
     */
    public DetectorSettings withEarlyAlerts(boolean on) {
        if (on && mode != DetectionMode.CONTINUOUS) {
            throw new IllegalArgumentException("early alerts need the continuous mode");
        }
        return new DetectorSettings(this, on);
    }

    public boolean earlyAlerts() {
        return earlyAlerts;
    }

    public DetectionMode mode() {
        return mode;
    }

    public long lookback() {
        return lookback;
    }

    public long slide() {
        return slide;
    }

    public long offset() {
        return offset;
    }

    public int threshold() {
        return threshold;
    }

    public long updateInterval() {
        return updateInterval;
    }

    /** Past it a fingerprint's new names are not tracked, and its alerts' counts are lower bounds. */
    public int maxNamesPerFingerprint() {
        return maxNamesPerFingerprint;
    }

    /** Values written in each of an alert's name, namespace and outcome lists, at most. */
    public int maxAlertValues() {
        return maxAlertValues;
    }

    /** Bytes of JSON spent on each of those lists, at most (one value is always written). */
    public long maxAlertListBytes() {
        return maxAlertListBytes;
    }

    /**
     * How many of the smallest namespaces or decisions a sighting or tally keeps: one more than
     * an alert writes, so that holding that many says the list was cut.
     */
    int valueCap() {
        return maxAlertValues + 1;
    }
}
