package io.secretrecon.detect;

import io.secretrecon.config.JobSettings;
import io.secretrecon.rule.SecretGet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one fingerprint costs in state (README, "Bounds"), measured as the bytes of the keyed
 * state (values and timers) that a checkpoint writes, for a few shapes; and that a key's state in
 * a sorted (BATCH) run does not grow with the length of its history. Prints the table the README
 * quotes.
 */
class StateFootprintTest {

    private static final String NAME = "app-secret-%05d-abcdef"; // 22 characters, a typical Secret name

    @Test
    void aLongHistoryOfOneKeyDoesNotGrowItsStateInASortedRun() throws Exception {
        for (DetectionMode mode : DetectionMode.values()) {
            List<SecretGet> history = history(100_000, 10);
            long sortedMax = 0;
            try (DetectorHarness d = new DetectorHarness(JobSettings.defaultDetector(mode), InputOrder.SORTED_PER_KEY)) {
                for (int i = 0; i < history.size(); i++) {
                    d.send(history.get(i));
                    if (i % 10_000 == 9_999) {
                        sortedMax = Math.max(sortedMax, d.snapshotBytes());
                        assertThat(d.timers()).as("one timer for the key's end").isEqualTo(1);
                    }
                }
                d.endOfInput();
                assertThat(d.stateEntries()).isZero();
                assertThat(d.timers()).isZero();
            }
            long buffered;
            try (DetectorHarness d = new DetectorHarness(JobSettings.defaultDetector(mode))) {
                // a bounded input without sorting: nothing applies before the end (a snapshot of all
                // 100,000 would pass the harness's 5 MiB limit: 15,000 show the growth)
                history.subList(0, 15_000).forEach(e -> send(d, e));
                buffered = d.snapshotBytes();
            }
            System.out.printf("%s, 100,000 events over 10 days: sorted at most %,d bytes; unsorted after 15,000 events"
                    + " %,d bytes%n", mode.label(), sortedMax, buffered);
            assertThat(sortedMax).as(mode.label()).isLessThan(64 * 1024);
            assertThat(buffered).as(mode.label()).isGreaterThan(10 * sortedMax);
        }
    }

    @Test
    void footprintPerFingerprint() throws Exception {
        long empty = measure(JobSettings.defaultDetector(DetectionMode.CONTINUOUS), List.of(), T0);
        List<String> rows = new ArrayList<>();
        rows.add("| mode | shape | bytes | per name or event |");
        rows.add("|---|---|---|---|");

        for (int names : new int[] {10, 100, 1000, 10_000}) {
            for (int repeat : new int[] {1, 10}) {
                List<SecretGet> events = spread(names * repeat, 300_000, i -> String.format(NAME, i % names));
                long bytes = measure(JobSettings.defaultDetector(DetectionMode.CONTINUOUS), events, T0.plusSeconds(301))
                        - empty;
                rows.add(row("continuous", "open episode, " + names + " names, " + names * repeat + " events", bytes,
                        bytes / names + " per name"));
                assertThat(bytes).as("independent of events").isLessThan(names * 60L + 2_000);
            }
        }
        for (int events : new int[] {360, 3600}) {
            List<SecretGet> quiet = spread(events, 360_000 - 1, i -> String.format(NAME, i % 2));
            long bytes = measure(JobSettings.defaultDetector(DetectionMode.CONTINUOUS), quiet, T0.plusSeconds(360)) - empty;
            rows.add(row("continuous", "no episode, 2 names, " + events + " events in one lookback", bytes,
                    bytes / events + " per event"));
            assertThat(bytes).isLessThan(events * 150L + 2_000);
        }
        for (int[] shape : new int[][] {{10, 1}, {10, 10}, {100, 10}, {1000, 1}, {1000, 10}, {10_000, 1}}) {
            int names = shape[0];
            int repeat = shape[1];
            List<SecretGet> events = spread(names * repeat, 240_000, i -> String.format(NAME, i % names));
            long bytes = measure(JobSettings.defaultDetector(DetectionMode.WINDOWS), events, T0.plusSeconds(241)) - empty;
            rows.add(row("windows", names + " names, " + names * repeat + " events in one pane", bytes,
                    bytes / names + " per name"));
            assertThat(bytes).isLessThan(names * (100L + 50L * Math.min(repeat, Tally.MAX_AUDIT_IDS)) + 2_000);
        }
        long pendingBytes = measure(JobSettings.defaultDetector(DetectionMode.CONTINUOUS),
                spread(1000, 30_000, i -> String.format(NAME, i % 3)), T0.minusMillis(1)) - empty;
        rows.add(row("continuous", "1000 events ahead of the watermark (STREAMING)", pendingBytes,
                pendingBytes / 1000 + " per event"));
        assertThat(pendingBytes).isLessThan(1000 * 300L);
        System.out.println(String.join("\n", rows));
    }

    private static String row(String mode, String shape, long bytes, String per) {
        return String.format("| %s | %s | %,d | %s |", mode, shape, bytes, per);
    }

    /** The keyed state after the events, with the watermark at {@code watermark}. */
    private static long measure(DetectorSettings settings, List<SecretGet> events, Instant watermark) throws Exception {
        try (DetectorHarness d = new DetectorHarness(settings)) {
            events.forEach(e -> send(d, e));
            d.watermark(watermark);
            return d.snapshotBytes();
        }
    }

    /** {@code n} events of one fingerprint evenly over {@code millis} from T0, with real-looking audit IDs. */
    private static List<SecretGet> spread(int n, long millis, IntFunction<String> name) {
        List<SecretGet> out = new ArrayList<>(n);
        Random random = new Random(n);
        for (int i = 0; i < n; i++) {
            out.add(secretGet("system:serviceaccount:ci:release-bot", name.apply(i))
                    .auditId(new java.util.UUID(random.nextLong(), random.nextLong()).toString())
                    .at(T0.plusMillis(millis * i / Math.max(1, n))));
        }
        return out;
    }

    /** One service account reading 40 secrets about every 8 s for {@code days}, with quiet hours now and then. */
    private static List<SecretGet> history(int n, int days) {
        Random random = new Random(5);
        List<SecretGet> out = new ArrayList<>(n);
        long t = T0.toEpochMilli();
        double gap = days * 86_400_000.0 / n * 0.9;
        for (int i = 0; i < n; i++) {
            t += random.nextInt(500) == 0 ? 3_600_000L : 1 + (long) (random.nextDouble() * 2 * gap);
            out.add(secretGet("system:serviceaccount:ci:release-bot", String.format(NAME, random.nextInt(40)))
                    .auditId(new java.util.UUID(random.nextLong(), random.nextLong()).toString())
                    .at(Instant.ofEpochMilli(t)));
        }
        return out;
    }

    private static void send(DetectorHarness d, SecretGet e) {
        try {
            d.send(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
