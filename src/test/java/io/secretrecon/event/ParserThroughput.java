package io.secretrecon.event;

import io.secretrecon.tools.WorkloadGenerator;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Parse throughput of {@link AuditRecordParser} alone: one thread, no Flink, records in memory.
 * The records are the ones {@code scripts/benchmark.sh EVENTS} generates (same generator options,
 * same directory {@code target/bench/audit-EVENTS}, generated here if absent), so the figure is
 * reproducible and comparable between commits. A main class, not a test: surefire never runs it.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -Xms2g -Xmx2g -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) \
 *     io.secretrecon.event.ParserThroughput [EVENTS=400000] [ROUNDS=10] [WARMUP=5]
 * </pre>
 *
 * Prints, for every measured round and as medians, records per second of wall-clock time and of
 * the thread's CPU time (on a shared machine the CPU-time figure is the one to compare: other
 * processes stretch wall time, not the CPU time the parse takes), and a checksum of what was
 * parsed (events, dead letters, sum of event times) that must not change between two versions of
 * the parser.
 */
public final class ParserThroughput {

    private ParserThroughput() {}

    public static void main(String[] args) throws IOException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        byte[][] records = load(events);
        long bytes = Arrays.stream(records).mapToLong(r -> r.length).sum();
        System.out.printf("input: %d records, %d MiB%n", records.length, bytes >> 20);

        AuditRecordParser parser = new AuditRecordParser(1 << 20);
        Tally tally = new Tally();
        RecordOrigin origin = RecordOrigin.fileLine("bench", 0);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] rates = new double[rounds];
        double[] cpuRates = new double[rounds];
        for (int round = -warmup; round < rounds; round++) {
            tally.reset();
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            for (byte[] r : records) {
                parser.parse(r, 0, r.length, origin, null, tally);
            }
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            double rate = records.length * 1e9 / nanos;
            double cpuRate = records.length * 1e9 / cpuNanos;
            System.out.printf("%s %2d: %,.0f records/s wall, %,.0f records/s CPU, %.1f MiB/s wall%n",
                    round < 0 ? "warm-up" : "round  ", Math.abs(round), rate, cpuRate, bytes * 1e9 / nanos / (1 << 20));
            if (round >= 0) {
                rates[round] = rate;
                cpuRates[round] = cpuRate;
            }
        }
        System.out.printf("median: %,.0f records/s wall, %,.0f records/s CPU%n", median(rates), median(cpuRates));
        System.out.printf("checksum: %d events, %d dead letters, time sum %d%n", tally.events, tally.deadLetters, tally.timeSum);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The lines of the benchmark's input, generated exactly as {@code scripts/benchmark.sh} does. */
    private static byte[][] load(int events) throws IOException {
        Path dir = Path.of("target", "bench", "audit-" + events);
        if (!Files.isDirectory(dir)) {
            WorkloadGenerator.main(new String[] {"--output", dir.toString(), "--events", String.valueOf(events),
                "--bursts", String.valueOf(events / 20000 + 4), "--files", "3", "--format", "mixed",
                "--duration", "12h", "--seed", "1"});
        }
        List<byte[]> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        lines.add(line.getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return lines.toArray(new byte[0][]);
    }

    private static final class Tally implements Consumer<ParsedRecord> {
        long events;
        long deadLetters;
        long timeSum;

        void reset() {
            events = 0;
            deadLetters = 0;
            timeSum = 0;
        }

        @Override
        public void accept(ParsedRecord r) {
            if (r.event != null) {
                events++;
                timeSum += r.event.timestamp;
            } else {
                deadLetters++;
            }
        }
    }
}
