package io.secretrecon.io.elasticsearch;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * min(max, initial * 2^(n-1)) ("equal jitter"), so that the parallel writers of a job, which all
 * see the same outage, do not come back in lockstep, and none waits less than half its step.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final Random random;

    Backoff(Duration initial, Duration max, Random random) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.random = random;
    }

    /** The wait before attempt {@code attempt} (1 for the first retry). */
    long delayMillis(int attempt) {
        long step = initialMillis;
        for (int i = 1; i < attempt && step < maxMillis; i++) {
            step *= 2;
        }
        step = Math.min(step, maxMillis);
        long half = step / 2;
        return half + (long) (random.nextDouble() * (step - half + 1));
    }
}
