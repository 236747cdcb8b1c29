package io.secretrecon;

import io.secretrecon.detect.SecretBurstDetector;
import io.secretrecon.pipeline.SecretGetFilter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One progress line on stderr every few seconds while {@link LocalRunner} runs a job: bytes of the
 * input files read out of their total (where the input is local files), records read, events/s
 * over the last interval, alerts and dead letters so far.
 *
 * <p>The counts are the job's own operator metrics ({@code eventsIn}, {@code malformed},
 * {@code alertsEmitted}, {@code lateEvents}), collected in this JVM by a metric reporter that
 * LocalRunner registers ({@link Factory}; a reporter is only found through
 * {@code META-INF/services}). Counters of finished tasks (BATCH mode finishes the source stage
 * before the detector starts) keep their last value. Bytes read come from the positions of the
 * open input files in {@code /proc/self/fdinfo} (Linux): a file seen open and then closed counts
 * as read whole; a file never seen open (small, read between two samples) only counts at the end.
 */
public final class LocalProgress implements AutoCloseable {

    static final String REPORTER_NAME = "secret-recon-progress";

    /** Counts by metric name, summed over subtasks, with what finished tasks left behind. */
    private static final Map<Counter, String> LIVE = new ConcurrentHashMap<>();
    private static final Map<String, Long> RETIRED = new ConcurrentHashMap<>();

    private final PrintStream out;
    private final long intervalMillis;
    private final Map<Path, Long> inputSizes;
    private final long inputTotal;
    private final Map<Path, Long> maxPosition = new HashMap<>();
    private final Set<Path> finishedFiles = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopped;

    private LocalProgress(PrintStream out, long intervalMillis, Map<Path, Long> inputSizes) {
        this.out = out;
        this.intervalMillis = intervalMillis;
        this.inputSizes = inputSizes;
        this.inputTotal = inputSizes.values().stream().mapToLong(Long::longValue).sum();
        this.thread = new Thread(this::run, "secret-recon-progress");
        this.thread.setDaemon(true);
    }

    /** Registers the reporter that feeds the progress line (call before the cluster starts). */
    static void addReporter(Configuration conf) {
        conf.setString("metrics.reporter." + REPORTER_NAME + ".factory.class", Factory.class.getName());
        conf.setString("metrics.reporter." + REPORTER_NAME + ".interval", "1 min");
    }

    /** Starts printing; {@code inputs} are the local input files and directories, if any. */
    static LocalProgress start(PrintStream out, long intervalMillis, List<String> inputs) {
        LocalProgress p = new LocalProgress(out, intervalMillis, inputSizes(inputs));
        p.thread.start();
        return p;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long start = System.nanoTime();
        long lastTime = start;
        long lastRecords = 0;
        long nextPrint = start + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        try {
            while (!stopped) {
                // Sample file positions more often than we print, so short-lived opens are seen.
                sampleFilePositions();
                long now = System.nanoTime();
                if (now >= nextPrint) {
                    long records = total(SecretGetFilter.METRIC_EVENTS_IN) + total(SecretGetFilter.METRIC_MALFORMED);
                    double seconds = (now - lastTime) / 1e9;
                    long rate = seconds > 0 ? Math.round((records - lastRecords) / seconds) : 0;
                    out.println(line(now - start, records, rate));
                    out.flush();
                    lastTime = now;
                    lastRecords = records;
                    nextPrint = now + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
                }
                Thread.sleep(Math.min(500, intervalMillis));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private String line(long elapsedNanos, long records, long rate) {
        StringBuilder sb = new StringBuilder("secret-recon: ").append(elapsed(elapsedNanos)).append("  ");
        if (inputTotal > 0) {
            long read = Math.min(bytesRead(), inputTotal);
            sb.append(String.format(Locale.ROOT, "read %s of %s (%d%%), ", bytes(read), bytes(inputTotal), read * 100 / inputTotal));
        } else {
            sb.append("read ");
        }
        sb.append(String.format(Locale.ROOT, "%,d records, %,d events/s, alerts %,d, dead letters %,d",
                records, rate, total(SecretBurstDetector.METRIC_ALERTS),
                total(SecretGetFilter.METRIC_MALFORMED) + total(SecretBurstDetector.METRIC_LATE)));
        return sb.toString();
    }

    static long total(String metric) {
        long sum = RETIRED.getOrDefault(metric, 0L);
        for (Map.Entry<Counter, String> e : LIVE.entrySet()) {
            if (e.getValue().equals(metric)) {
                sum += e.getKey().getCount();
            }
        }
        return sum;
    }

    private static String elapsed(long nanos) {
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    private static String bytes(long n) {
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    // ------------------------------------------------------------------ input files

    private static Map<Path, Long> inputSizes(List<String> inputs) {
        Map<Path, Long> sizes = new HashMap<>();
        for (String input : inputs) {
            if (input.contains("://") && !input.startsWith("file:")) {
                continue; // not a local file: no total
            }
            Path p = Path.of(input.startsWith("file:") ? java.net.URI.create(input).getPath() : input);
            try (Stream<Path> files = Files.isDirectory(p) ? Files.walk(p) : Stream.of(p)) {
                files.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().startsWith("."))
                        .forEach(f -> {
                            try {
                                sizes.put(f.toRealPath(), Files.size(f));
                            } catch (IOException e) {
                                // gone or unreadable: the job will say so
                            }
                        });
            } catch (IOException | RuntimeException e) {
                // no total for this input
            }
        }
        return sizes;
    }

    private void sampleFilePositions() {
        if (inputSizes.isEmpty()) {
            return;
        }
        Set<Path> open = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (!inputSizes.containsKey(target)) {
                        return;
                    }
                    for (String l : Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        if (l.startsWith("pos:")) {
                            long pos = Long.parseLong(l.substring(4).trim());
                            maxPosition.merge(target, pos, Math::max);
                            open.add(target);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            });
        } catch (IOException | RuntimeException e) {
            return; // no /proc: records only
        }
        for (Path seen : maxPosition.keySet()) {
            if (!open.contains(seen)) {
                finishedFiles.add(seen);
            }
        }
        finishedFiles.removeAll(open); // reopened (a restarted task reads it again)
    }

    private long bytesRead() {
        long sum = 0;
        for (Map.Entry<Path, Long> e : maxPosition.entrySet()) {
            sum += finishedFiles.contains(e.getKey()) ? inputSizes.get(e.getKey()) : e.getValue();
        }
        return sum;
    }

    // ------------------------------------------------------------------ reporter

    /** Creates the in-JVM reporter (listed in META-INF/services, as Flink finds reporters only so). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }

    private static final Set<String> COUNTED = Set.of(SecretGetFilter.METRIC_EVENTS_IN, SecretGetFilter.METRIC_MALFORMED,
            SecretBurstDetector.METRIC_ALERTS, SecretBurstDetector.METRIC_LATE);

    private static final class Reporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            if (metric instanceof Counter && COUNTED.contains(name)) {
                LIVE.put((Counter) metric, name);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            if (metric instanceof Counter && LIVE.remove(metric) != null) {
                RETIRED.merge(name, ((Counter) metric).getCount(), Long::sum);
            }
        }
    }
}
