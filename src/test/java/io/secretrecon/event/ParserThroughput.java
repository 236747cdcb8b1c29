package io.secretrecon.event;

import io.secretrecon.tools.WorkloadGenerator;

import java.io.IOException;
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
 * Prints records per second of every measured round and their median, and a checksum of what was
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
        double[] rates = new double[rounds];
        for (int round = -warmup; round < rounds; round++) {
            tally.reset();
            long start = System.nanoTime();
            for (byte[] r : records) {
                parser.parse(r, 0, r.length, origin, null, tally);
            }
            long nanos = System.nanoTime() - start;
            double rate = records.length * 1e9 / nanos;
            System.out.printf("%s %2d: %,.0f records/s, %.1f MiB/s%n", round < 0 ? "warm-up" : "round  ",
                    Math.abs(round), rate, bytes * 1e9 / nanos / (1 << 20));
            if (round >= 0) {
                rates[round] = rate;
            }
        }
        Arrays.sort(rates);
        double median = rounds % 2 == 1 ? rates[rounds / 2] : (rates[rounds / 2 - 1] + rates[rounds / 2]) / 2;
        System.out.printf("median: %,.0f records/s (min %,.0f, max %,.0f)%n", median, rates[0], rates[rounds - 1]);
        System.out.printf("checksum: %d events, %d dead letters, time sum %d%n", tally.events, tally.deadLetters, tally.timeSum);
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
