package io.secretrecon.testutil;

import java.security.SecureRandom;
import java.util.stream.LongStream;

/**
 * The seeds of randomized tests: fixed by default, so every run of the suite checks the same
 * scenarios; chosen on the command line to replay one scenario or to explore new ones.
 *
 * <ul>
 *   <li>{@code -D}{@value #SEED}{@code =N}: the first scenario's seed (default {@value #DEFAULT_SEED});
 *       {@code -D}{@value #SEED}{@code =random} draws one and prints it;
 *   <li>{@code -D}{@value #SCENARIOS}{@code =M}: how many scenarios, with seeds N, N+1, ...
 *       (default: the test's own count).
 * </ul>
 *
 * A failing scenario {@code seed 37} is replayed alone with
 * {@code -Dsecretrecon.seed=37 -Dsecretrecon.scenarios=1} (see {@link #replayHint(long)}).
 */
public final class TestSeeds {

    public static final String SEED = "secretrecon.seed";
    public static final String SCENARIOS = "secretrecon.scenarios";
    public static final long DEFAULT_SEED = 1;

    /** Drawn once per JVM, so that every test of a run sees the same seeds. */
    private static final long RANDOM_SEED = new SecureRandom().nextLong() >>> 1; // >= 0: the range cannot overflow

    private TestSeeds() {}

    /** The scenario seeds for {@code test}: {@code defaultCount} consecutive seeds unless overridden; logged to stderr. */
    public static LongStream scenarioSeeds(Class<?> test, int defaultCount) {
        long first = firstSeed();
        int count = Integer.getInteger(SCENARIOS, defaultCount);
        if (count < 1) {
            throw new IllegalArgumentException(SCENARIOS + " must be at least 1, got " + count);
        }
        System.err.printf("%s: %d scenarios, seeds %d..%d (replay one with %s)%n",
                test.getSimpleName(), count, first, first + count - 1, replayHint(first));
        return LongStream.range(first, first + count);
    }

    /** The system properties that run exactly the scenario with this seed again. */
    public static String replayHint(long seed) {
        return "-D" + SEED + "=" + seed + " -D" + SCENARIOS + "=1";
    }

    private static long firstSeed() {
        String value = System.getProperty(SEED);
        if (value == null || value.isBlank()) {
            return DEFAULT_SEED;
        }
        if (value.trim().equalsIgnoreCase("random")) {
            return RANDOM_SEED;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED + " must be a number or 'random', got '" + value + "'", e);
        }
    }
}
