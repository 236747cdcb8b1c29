package io.secretrecon.detect;

import java.io.Serializable;
import java.time.Duration;

/**
 * The detector's constants, in milliseconds of event time. Their defaults are defined with the
 * settings, in {@code config.Settings}.
 */
public final class DetectorSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DetectionMode mode;
    private final long lookback;
    private final long slide;
    private final long offset;
    private final int threshold;
    private final long updateInterval;

    public DetectorSettings(DetectionMode mode, Duration lookback, Duration slide, Duration offset, int threshold,
            Duration updateInterval) {
        if (lookback.toMillis() <= 0 || slide.toMillis() <= 0) {
            throw new IllegalArgumentException("lookback and slide must be at least 1 ms");
        }
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.mode = mode;
        this.lookback = lookback.toMillis();
        this.slide = slide.toMillis();
        this.offset = offset.toMillis();
        this.threshold = threshold;
        this.updateInterval = updateInterval.toMillis();
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
}
