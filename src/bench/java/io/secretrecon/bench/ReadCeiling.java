package io.secretrecon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.bench.peers.EcsDocument;
import io.secretrecon.event.AuditRecordParser;
import io.secretrecon.event.RecordOrigin;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.formats.json.JsonDeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.flink.util.jackson.JacksonMapperFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The ceilings: how fast plain Java gets through the benchmark's files, one thread per file (up
 * to {@code --threads}), without Flink. Modes:
 *
 * <ul>
 *   <li>{@code lines}: {@code BufferedReader.readLine} (UTF-8 decoding, one String per line);
 *   <li>{@code bytes}: lines split as bytes by a plain byte loop, never decoded, parsed in place;
 *   <li>{@code bytes-swar}: the same, the newline found eight bytes at a time (SWAR);
 *   <li>{@code line-reader}: the job's own {@code io.LineReader} (byte loop, each line copied out, blank check);
 *   <li>{@code jackson}: bytes plus a full Jackson parse ({@code ObjectMapper.readTree});
 *   <li>{@code jackson-pojo}: bytes plus Jackson data binding into {@link EcsDocument} (the naive peer's parse);
 *   <li>{@code flink-json}: bytes (copied into one array per record, as a Flink source hands them over) plus
 *       {@code flink-json}'s {@link JsonDeserializationSchema} into {@link EcsDocument};
 *   <li>{@code secret-recon-parser}: bytes plus the job's own {@link AuditRecordParser}, which builds the
 *       ECS view of every record;
 *   <li>{@code prefilter}: an estimate of a cheap path for records that cannot be secret GETs: a record
 *       without the bytes {@code "secrets"} (and without a backslash-u escape that could spell it) only has
 *       its {@code "ingested":"...} time read, by a byte search (no validation, no other field); the rest
 *       goes through {@link AuditRecordParser}. Not the job's semantics (a malformed record is not
 *       detected): a floor for what getting the event time of a dropped record can cost.
 * </ul>
 *
 * Prints {@code bench: job finished in N ms} (first byte read to last record parsed) to stderr.
 *
 * <pre>ReadCeiling --input DIR --mode lines|bytes|jackson|jackson-pojo|flink-json|secret-recon-parser [--threads 2]</pre>
 */
public final class ReadCeiling {

    private ReadCeiling() {}

    public static void main(String[] args) throws Exception {
        Path input = null;
        String mode = "lines";
        int threads = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--input": input = Path.of(args[i + 1]); break;
                case "--mode": mode = args[i + 1]; break;
                case "--threads": threads = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(input)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<List<Path>> perThread = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, files.size()); t++) {
            perThread.add(new ArrayList<>());
        }
        for (int i = 0; i < files.size(); i++) {
            perThread.get(i % perThread.size()).add(files.get(i));
        }
        AtomicLong records = new AtomicLong();
        AtomicLong sink = new AtomicLong();
        String m = mode;
        long t0 = System.nanoTime();
        List<Thread> running = new ArrayList<>();
        for (List<Path> mine : perThread) {
            Thread th = new Thread(() -> {
                try {
                    Reader r = reader(m);
                    for (Path f : mine) {
                        r.read(f);
                    }
                    records.addAndGet(r.records);
                    sink.addAndGet(r.sink);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "reader-" + running.size());
            th.start();
            running.add(th);
        }
        for (Thread th : running) {
            th.join();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("bench: " + mode + ": " + records.get() + " records, checksum " + sink.get());
        System.err.println("bench: job finished in " + ms + " ms");
    }

    private static Reader reader(String mode) throws Exception {
        switch (mode) {
            case "lines": return new StringLines();
            case "bytes": return new ByteLines();
            case "bytes-swar": return new SwarLines();
            case "line-reader": return new JobLineReader();
            case "jackson": return new JacksonTree();
            case "jackson-pojo": return new JacksonPojo();
            case "flink-json": return new FlinkJson();
            case "secret-recon-parser": return new SecretReconParser();
            case "prefilter": return new Prefilter();
            default: throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private abstract static class Reader {
        long records;
        long sink;

        abstract void read(Path f) throws IOException;
    }

    private static final class StringLines extends Reader {
        @Override
        void read(Path f) throws IOException {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8),
                    64 * 1024)) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    records++;
                    sink += line.length();
                }
            }
        }
    }

    /** Lines as bytes, never decoded; {@link #line} is called with each. */
    private static class ByteLines extends Reader {
        private final byte[] chunk = new byte[64 * 1024];
        private byte[] buf = new byte[8192];

        @Override
        void read(Path f) throws IOException {
            try (InputStream in = Files.newInputStream(f)) {
                int len = 0;
                for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                    int from = 0;
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] == '\n') {
                            if (len == 0) {
                                line(chunk, from, i - from);
                            } else {
                                buf = append(buf, len, chunk, from, i - from);
                                line(buf, 0, len + i - from);
                                len = 0;
                            }
                            from = i + 1;
                        }
                    }
                    buf = append(buf, len, chunk, from, n - from);
                    len += n - from;
                }
                if (len > 0) {
                    line(buf, 0, len);
                }
            }
        }

        private static byte[] append(byte[] buf, int len, byte[] src, int from, int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            System.arraycopy(src, from, buf, len, n);
            return buf;
        }

        void line(byte[] b, int off, int len) throws IOException {
            records++;
            sink += len;
        }
    }

    /** {@link ByteLines} with the newline searched a long at a time. */
    private static final class SwarLines extends ByteLines {
        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
        private final byte[] chunk = new byte[64 * 1024];
        private byte[] buf = new byte[8192];

        @Override
        void read(Path f) throws IOException {
            try (InputStream in = Files.newInputStream(f)) {
                int len = 0;
                for (int n = in.readNBytes(chunk, 0, chunk.length); n > 0; n = in.readNBytes(chunk, 0, chunk.length)) {
                    int from = 0;
                    for (int i = newline(chunk, 0, n); i >= 0; i = newline(chunk, i + 1, n)) {
                        if (len == 0) {
                            line(chunk, from, i - from);
                        } else {
                            buf = grow(buf, len, i - from);
                            System.arraycopy(chunk, from, buf, len, i - from);
                            line(buf, 0, len + i - from);
                            len = 0;
                        }
                        from = i + 1;
                    }
                    buf = grow(buf, len, n - from);
                    System.arraycopy(chunk, from, buf, len, n - from);
                    len += n - from;
                }
                if (len > 0) {
                    line(buf, 0, len);
                }
            }
        }

        private static byte[] grow(byte[] buf, int len, int n) {
            return len + n > buf.length ? Arrays.copyOf(buf, Math.max(buf.length * 2, len + n)) : buf;
        }

        /** Index of the next '\n' in [from, to), or -1. */
        private static int newline(byte[] b, int from, int to) {
            int i = from;
            for (; i + 8 <= to; i += 8) {
                long x = (long) LONGS.get(b, i) ^ NEWLINES;
                long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
                if (found != 0) {
                    return i + (Long.numberOfTrailingZeros(found) >>> 3);
                }
            }
            for (; i < to; i++) {
                if (b[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The job's own line reader. */
    private static final class JobLineReader extends ByteLines {
        @Override
        void read(Path f) throws IOException {
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(f), 64 * 1024)) {
                io.secretrecon.io.BenchLineReader.read(in, (b, off, len) -> {
                    records++;
                    sink += len;
                });
            }
        }
    }

    private static final class JacksonTree extends ByteLines {
        private final ObjectMapper mapper = new ObjectMapper();

        @Override
        void line(byte[] b, int off, int len) throws IOException {
            JsonNode doc = mapper.readTree(b, off, len);
            records++;
            sink += doc.size();
        }
    }

    private static final class JacksonPojo extends ByteLines {
        private final ObjectMapper mapper = new ObjectMapper();

        @Override
        void line(byte[] b, int off, int len) throws IOException {
            EcsDocument doc = mapper.readValue(b, off, len, EcsDocument.class);
            records++;
            sink += doc.event.action.length();
        }
    }

    private static final class FlinkJson extends ByteLines {
        private final JsonDeserializationSchema<EcsDocument> schema = new JsonDeserializationSchema<>(EcsDocument.class,
                () -> JacksonMapperFactory.createObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false));

        FlinkJson() {
            schema.open(new DeserializationSchema.InitializationContext() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public UserCodeClassLoader getUserCodeClassLoader() {
                    return SimpleUserCodeClassLoader.create(ReadCeiling.class.getClassLoader());
                }
            });
        }

        @Override
        void line(byte[] b, int off, int len) throws IOException {
            EcsDocument doc = schema.deserialize(Arrays.copyOfRange(b, off, off + len));
            records++;
            sink += doc.event.action.length();
        }
    }

    private static final class Prefilter extends ByteLines {
        private static final String INGESTED = "\"ingested\":\"";
        private final AuditRecordParser parser = new AuditRecordParser(16L << 20);
        private long line;

        @Override
        void line(byte[] b, int off, int len) {
            line++;
            // A Latin-1 view of the bytes: one array copy, then the JDK's intrinsic String.indexOf.
            String text = new String(b, off, len, StandardCharsets.ISO_8859_1);
            if (text.contains("\"secrets\"") || text.contains("\\u")) {
                parser.parse(b, off, len, RecordOrigin.fileLine("bench", line), null, r -> {
                    records++;
                    sink += r.event != null ? r.event.timestamp & 0xff : 1_000_000;
                });
                return;
            }
            int at = text.indexOf(INGESTED);
            records++;
            if (at >= 0) {
                int from = at + INGESTED.length();
                long t = io.secretrecon.event.EventTimes.parse(text.substring(from, text.indexOf('"', from)));
                sink += t & 0xff;
            }
        }
    }

    private static final class SecretReconParser extends ByteLines {
        private final AuditRecordParser parser = new AuditRecordParser(16L << 20);
        private long line;

        @Override
        void line(byte[] b, int off, int len) {
            RecordOrigin origin = RecordOrigin.fileLine("bench", ++line);
            parser.parse(b, off, len, origin, null, r -> {
                records++;
                sink += r.event != null ? r.event.timestamp & 0xff : 1_000_000;
            });
        }
    }
}
