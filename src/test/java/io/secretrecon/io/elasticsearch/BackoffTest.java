package io.secretrecon.io.elasticsearch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void eachAttemptWaitsBetweenHalfAndAllOfADoublingStepUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(7));
        long[] steps = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (int attempt = 1; attempt <= steps.length; attempt++) {
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delayMillis(attempt)).as("attempt %d", attempt)
                        .isBetween(steps[attempt - 1] / 2, steps[attempt - 1]);
            }
        }
        assertThat(backoff.delayMillis(10_000)).as("no overflow after a long outage").isBetween(5_000L, 10_000L);
    }

    @Test
    void writersThatFailTogetherDoNotRetryInLockstep() {
        Set<Long> delays = new HashSet<>();
        for (int writer = 0; writer < 20; writer++) {
            delays.add(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(writer * 0x9E3779B97F4A7C15L)).delayMillis(5));
        }
        assertThat(delays).hasSizeGreaterThan(10);
    }
}
