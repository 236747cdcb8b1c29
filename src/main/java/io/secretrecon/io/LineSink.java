package io.secretrecon.io;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;

/**
 * Writes one line per element to a local file or to standard output, with parallelism 1.
 *
 * <p>A file is exactly-once across failover: at each checkpoint the writer flushes, forces the
 * file to disk and keeps its length in the checkpoint; restored from that checkpoint, it cuts the
 * file back to that length and goes on, so the lines written after the checkpoint are written
 * once more, not twice, and nothing before it is lost. A run that starts without restored state
 * starts the file afresh. (In BATCH mode, where there are no checkpoints, a failover re-runs the
 * writer from the start of its input, which rewrites the whole file.) Standard output cannot be
 * taken back: after a failover in a streaming job it repeats the lines since the last checkpoint
 * (alert ids tell such repeats apart).
 */
public final class LineSink implements Sink<String>, SupportsWriterState<String, Long> {

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
    public StatefulSinkWriter<String, Long> createWriter(WriterInitContext context) throws IOException {
        return path == null ? new Lines(new NoClose(System.out), null) : open(0L);
    }

    @Override
    public StatefulSinkWriter<String, Long> restoreWriter(WriterInitContext context, Collection<Long> states)
            throws IOException {
        if (path == null) {
            return createWriter(context);
        }
        // One writer (parallelism 1), so at most one length; none when the checkpoint predates it:
        // then keep everything (append), which loses nothing.
        long length = states.isEmpty() ? -1L : states.iterator().next();
        return open(length);
    }

    /** Opens the file cut to {@code length} bytes, or whole when {@code length} is negative. */
    private Lines open(long length) throws IOException {
        Path p = Path.of(path).toAbsolutePath();
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        FileChannel channel = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (length >= 0) {
                channel.truncate(length);
            }
            channel.position(channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Lines(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024), channel);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new LengthSerializer();
    }

    private static final class Lines implements StatefulSinkWriter<String, Long> {
        private final OutputStream out;
        /** Null for standard output. */
        private final FileChannel channel;

        Lines(OutputStream out, FileChannel channel) {
            this.out = out;
            this.channel = channel;
        }

        @Override
        public void write(String element, Context context) throws IOException {
            out.write(element.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            if (channel == null) {
                out.flush();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public List<Long> snapshotState(long checkpointId) throws IOException {
            if (channel == null) {
                return List.of();
            }
            out.flush();
            channel.force(false);
            return List.of(channel.position());
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** The file length kept in a checkpoint, as 8 bytes. */
    private static final class LengthSerializer implements SimpleVersionedSerializer<Long> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long length) {
            return ByteBuffer.allocate(Long.BYTES).putLong(length).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1 || serialized.length != Long.BYTES) {
                throw new IOException("unknown file-sink state: version " + version + ", " + serialized.length + " bytes");
            }
            return new DataInputStream(new java.io.ByteArrayInputStream(serialized)).readLong();
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
