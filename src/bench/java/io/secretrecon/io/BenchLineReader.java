package io.secretrecon.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * The benchmark's door to the job's package-private {@link LineReader} (same package, bench
 * source set): reads a stream to its end exactly as {@code AuditFileFormat} does, for the
 * read ceilings.
 */
public final class BenchLineReader {

    /** What the benchmark does with each line. */
    public interface LineConsumer {
        void line(byte[] bytes, int offset, int length) throws IOException;
    }

    private BenchLineReader() {}

    /** Reads every line as the job does (16 MiB limit, 64 KiB kept of a longer one); returns the line count. */
    public static long read(InputStream in, LineConsumer consumer) throws IOException {
        LineReader lines = new LineReader(in, 16 << 20, 64 * 1024);
        long n = 0;
        while (lines.next()) {
            if (!lines.isBlank()) {
                consumer.line(lines.bytes(), lines.offset(), lines.length());
                n++;
            }
        }
        return n;
    }
}
