package io.secretrecon.io;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one line per element to a local file (created or truncated when the writer starts) or
 * to standard output. Meant for local runs and tests: use it with parallelism 1. It is not
 * transactional: after a failover in a streaming job, lines written since the last checkpoint are
 * written again (alert ids tell such repeats apart).
 */
public final class LineSink implements Sink<String> {

    private static final long serialVersionUID = 1L;

    /** Null for standard output. */
    private final String path;

    private LineSink(String path) {
        this.path = path;
    }

    public static LineSink toFile(String path) {
        return new LineSink(path);
    }

    public static LineSink toStdout() {
        return new LineSink(null);
    }

    public String describe() {
        return path == null ? "stdout" : path;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        if (path == null) {
            return new Lines(new OutputStreamWriter(new NoClose(System.out), StandardCharsets.UTF_8), true);
        }
        Path p = Path.of(path).toAbsolutePath();
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        return new Lines(Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), false);
    }

    private static final class Lines implements SinkWriter<String> {
        private final Writer out;
        private final boolean flushEachLine;

        Lines(Writer out, boolean flushEachLine) {
            this.out = flushEachLine ? out : new BufferedWriter(out, 64 * 1024);
            this.flushEachLine = flushEachLine;
        }

        @Override
        public void write(String element, Context context) throws IOException {
            out.write(element);
            out.write('\n');
            if (flushEachLine) {
                out.flush();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Standard output must stay open when a writer closes. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(PrintStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
