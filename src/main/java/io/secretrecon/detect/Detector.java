package io.secretrecon.detect;

import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;

import java.io.Serializable;

/**
 * The detection logic of one mode, over one fingerprint's {@link FingerprintState}. The Flink
 * function calls {@link #onEvent} for every kept event that is not late and {@link #onTimer}
 * when an event-time timer fires.
 */
public interface Detector extends Serializable {

    void onEvent(FingerprintState state, SecretGet event) throws Exception;

    /**
     * @param watermark the current watermark, at least {@code time}; {@code Long.MAX_VALUE} at the
     *     end of a bounded input
     */
    void onTimer(FingerprintState state, Fingerprint key, long time, long watermark) throws Exception;

    /** The detector of the settings' mode, for events in any order ahead of the watermark (STREAMING). */
    static Detector create(DetectorSettings settings, WallClock clock) {
        return create(settings, InputOrder.WATERMARKED, clock);
    }

    /** The detector of the settings' mode, for input in the given order. */
    static Detector create(DetectorSettings settings, InputOrder order, WallClock clock) {
        return settings.mode() == DetectionMode.CONTINUOUS
                ? new ContinuousDetector(settings, order, clock)
                : new WindowsDetector(settings, order, clock);
    }

    /** Wall clock for {@code event.created}; a function so that tests can fix it. */
    @FunctionalInterface
    interface WallClock extends Serializable {
        long now();

        static WallClock system() {
            return System::currentTimeMillis;
        }
    }
}
