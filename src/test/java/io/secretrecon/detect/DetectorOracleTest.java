package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.testutil.SecretGets;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceDetector.Kept;
import io.secretrecon.testutil.TestSeeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random scenarios, dense in the edge cases (equal times, events exactly a lookback apart, bursts
 * across window boundaries), through the real detector and through {@link ReferenceDetector}:
 * the alerts must be identical, whether events come in time order with advancing watermarks
 * (STREAMING) or in any order with one final watermark (a bounded input), and every key's state
 * and timers must be gone at the end.
 *
 * <p>Every scenario is a seed (shown in the test name and in a failure); {@link TestSeeds} says
 * how to replay one or to run others.
 */
class DetectorOracleTest {

    static Stream<Arguments> scenarios() {
        return TestSeeds.scenarioSeeds(DetectorOracleTest.class, 150).boxed().map(Arguments::of);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("scenarios")
    void continuousModeMatchesTheReference(long seed) throws Exception {
        Scenario s = new Scenario(seed);
        DetectorSettings settings = new DetectorSettings(DetectionMode.CONTINUOUS, s.lookback, s.slide, s.offset,
                s.threshold, s.updateInterval);
        List<String> expected = ReferenceDetector.continuous(s.kept(), s.lookback.toMillis(), s.threshold,
                s.updateInterval.toMillis());
        assertThat(runStreaming(settings, s)).as("streaming, seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
        assertThat(runBounded(settings, s)).as("bounded, seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
        assertThat(runSorted(settings, s)).as("sorted per key (BATCH), seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
    }

    /**
     * Early alerts change no confirmed alert; every provisional id is settled exactly once, after
     * it was announced, by its revision 1 or a withdrawal; in time order nothing is withdrawn.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("scenarios")
    void earlyAlertsLeaveTheConfirmedAlertsAsTheyAreAndAreAllSettled(long seed) throws Exception {
        Scenario s = new Scenario(seed);
        DetectorSettings settings = new DetectorSettings(DetectionMode.CONTINUOUS, s.lookback, s.slide, s.offset,
                s.threshold, s.updateInterval).withEarlyAlerts(true);
        List<String> expected = ReferenceDetector.continuous(s.kept(), s.lookback.toMillis(), s.threshold,
                s.updateInterval.toMillis());
        List<Alert> all = new ArrayList<>();
        List<String> confirmed = runStreaming(settings, s, all);
        assertThat(confirmed).as("confirmed alerts, seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
        java.util.Map<String, String> open = new java.util.HashMap<>();
        int withdrawn = 0;
        for (Alert a : all) {
            if (Alert.PROVISIONAL.equals(a.status)) {
                assertThat(open.put(a.id, a.id)).as("announced once, seed %d", seed).isNull();
            } else if (Alert.WITHDRAWN.equals(a.status)) {
                assertThat(open.remove(a.id)).as("withdrawn after it was announced, seed %d", seed).isNotNull();
                withdrawn++;
            } else if (a.revision == 1) {
                open.remove(a.id);
            }
        }
        assertThat(open).as("every provisional id settled, seed %d", seed).isEmpty();
        if (s.delay == 0) {
            assertThat(withdrawn).as("in time order the prediction is exact, seed %d", seed).isZero();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("scenarios")
    void windowsModeMatchesTheReference(long seed) throws Exception {
        Scenario s = new Scenario(seed);
        DetectorSettings settings = new DetectorSettings(DetectionMode.WINDOWS, s.lookback, s.slide, s.offset,
                s.threshold, s.updateInterval);
        List<String> expected = ReferenceDetector.windows(s.kept(), s.lookback.toMillis(), s.slide.toMillis(),
                s.offset.toMillis(), s.threshold);
        assertThat(runStreaming(settings, s)).as("streaming, seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
        assertThat(runBounded(settings, s)).as("bounded, seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
        assertThat(runSorted(settings, s)).as("sorted per key (BATCH), seed %d (replay: %s)", seed, TestSeeds.replayHint(seed))
                .isEqualTo(expected);
    }

    /** Events roughly in time order, up to {@code delay} out of order, watermarks trailing by it. */
    private static List<String> runStreaming(DetectorSettings settings, Scenario s) throws Exception {
        return runStreaming(settings, s, new ArrayList<>());
    }

    /** As above; {@code all} gets every alert in the order emitted, and only confirmed ones are returned. */
    private static List<String> runStreaming(DetectorSettings settings, Scenario s, List<Alert> all) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings)) {
            // Each event arrives at its time plus a delay drawn once for it. (Drawing in the
            // comparator would give one event different keys in different comparisons: no
            // consistent order, and TimSort may throw or leave events further out of order.)
            List<Arrival> arrivals = new ArrayList<>();
            for (SecretGet e : s.events) {
                arrivals.add(new Arrival(e.timestamp + s.random.nextInt((int) s.delay + 1), e));
            }
            arrivals.sort(Comparator.comparingLong(Arrival::at));
            List<SecretGet> events = arrivals.stream().map(Arrival::event).toList();
            long watermark = Long.MIN_VALUE;
            long maxSeen = Long.MIN_VALUE;
            for (SecretGet e : events) {
                assertThat(e.timestamp).as("the scenario never makes late events").isGreaterThan(watermark);
                d.send(e);
                maxSeen = Math.max(maxSeen, e.timestamp);
                if (s.random.nextInt(3) == 0 && maxSeen - s.delay - 1 > watermark) {
                    watermark = maxSeen - s.delay - 1;
                    d.watermark(Instant.ofEpochMilli(watermark));
                }
            }
            d.endOfInput();
            assertThat(d.deadLetters()).isEmpty();
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).isZero();
            all.addAll(d.alerts());
            return canonical(d);
        }
    }

    private record Arrival(long at, SecretGet event) {}

    /** Any order, nothing before the final watermark: what a bounded input gives. */
    private static List<String> runBounded(DetectorSettings settings, Scenario s) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings)) {
            List<SecretGet> events = new ArrayList<>(s.events);
            Collections.shuffle(events, s.random);
            events.forEach(e -> send(d, e));
            d.endOfInput();
            assertThat(d.stateEntries()).isZero();
            return canonical(d);
        }
    }

    /**
     * What Flink's BATCH mode gives a keyed operator: each key's events by time (in any order
     * within a time), no watermark until the end, one key after another, each key's timers fired
     * when its input ends. The detector is told so ({@link InputOrder#SORTED_PER_KEY}).
     */
    private static List<String> runSorted(DetectorSettings settings, Scenario s) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings, InputOrder.SORTED_PER_KEY)) {
            List<SecretGet> events = new ArrayList<>(s.events);
            Collections.shuffle(events, s.random);
            events.sort(Comparator.comparing((SecretGet e) -> e.fingerprint().toString())
                    .thenComparingLong(e -> e.timestamp));
            events.forEach(e -> send(d, e));
            d.endOfInput();
            assertThat(d.stateEntries()).isZero();
            assertThat(d.timers()).isZero();
            return canonical(d);
        }
    }

    private static void send(DetectorHarness d, SecretGet e) {
        try {
            d.send(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<String> canonical(DetectorHarness d) {
        List<String> out = new ArrayList<>();
        d.alerts().stream().filter(a -> a.status == null).forEach(a -> out.add(AlertDocuments.canonical(a)));
        out.sort(null);
        return out;
    }

    /** A random but reproducible set of secret GETs and detector settings. */
    private static final class Scenario {
        final Random random;
        final Duration lookback;
        final Duration slide;
        final Duration offset;
        final int threshold;
        final Duration updateInterval;
        final long delay;
        final List<SecretGet> events = new ArrayList<>();

        Scenario(long seed) {
            random = new Random(seed);
            lookback = Duration.ofSeconds(30 * (1 + random.nextInt(12)));
            slide = Duration.ofSeconds(30 * (1 + random.nextInt(12)));
            offset = Duration.ofSeconds(random.nextInt(4) * 15L);
            threshold = 2 + random.nextInt(3);
            updateInterval = Duration.ofSeconds(random.nextInt(5) * 30L);
            delay = random.nextInt(3) * 5_000L;
            String[] users = {"alice", "bob", "carol"};
            int names = 2 + random.nextInt(7);
            int n = 5 + random.nextInt(60);
            long grid = 5_000L * (1 + random.nextInt(6)); // a coarse grid makes equal times and exact gaps common
            long t = 0;
            for (int i = 0; i < n; i++) {
                t += random.nextInt(4) == 0 ? grid * random.nextInt(30) : grid * random.nextInt(3);
                String user = users[random.nextInt(1 + random.nextInt(users.length))];
                // One id per event, as the API server gives: equal events stay distinct evidence.
                SecretGets.Builder b = secretGet(user, "s" + random.nextInt(names)).auditId(String.format("audit-%03d", i));
                if (random.nextInt(4) == 0) {
                    b.in("ns" + random.nextInt(3));
                }
                if (random.nextInt(5) == 0) {
                    b.forbidden();
                }
                events.add(b.at(T0.plusMillis(t)));
            }
        }

        List<Kept> kept() {
            List<Kept> out = new ArrayList<>();
            for (SecretGet e : events) {
                out.add(new Kept(e.userName, e.auditUserName, e.sourceIp, e.userAgent, e.secretName, e.namespaces[0],
                        e.decisions[0], e.auditId, e.timestamp));
            }
            return out;
        }
    }
}
