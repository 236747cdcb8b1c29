package io.secretrecon.io;

import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The control source of {@code rule.exceptions-file}: one JSON exception per line, the whole set
 * of exceptions in force. It emits the file's content as one {@link ExceptionRecord} (a
 * <em>version</em>) when it first reads it and then whenever the content changes, checked every
 * poll interval (content, not only modification time, so an edit within the file system's time
 * resolution is seen). The version's time is the file's modification time.
 *
 * <p>Bounded (for a bounded job: read once, so that a BATCH run applies it before any event) or
 * continuous. One split, read by subtask 0; its checkpointed state is the length and checksum of
 * the last version emitted, so a restored job does not emit an unchanged file again. A file that
 * is missing for a while (an editor replacing it) changes nothing.
 */
public final class ExceptionFileSource implements Source<ExceptionRecord, ExceptionFileSource.FileSplit,
        Collection<ExceptionFileSource.FileSplit>> {

    private static final long serialVersionUID = 1L;

    /** A larger file is refused (a dead letter) rather than read. */
    public static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

    private final String path;
    private final long pollIntervalMillis;
    private final boolean bounded;

    public ExceptionFileSource(String path, Duration pollInterval, boolean bounded) {
        this.path = path;
        this.pollIntervalMillis = pollInterval.toMillis();
        this.bounded = bounded;
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<ExceptionRecord, FileSplit> createReader(SourceReaderContext context) {
        return new ExceptionFileReader(pollIntervalMillis, bounded, MAX_FILE_BYTES);
    }

    @Override
    public SplitEnumerator<FileSplit, Collection<FileSplit>> createEnumerator(SplitEnumeratorContext<FileSplit> context) {
        return new Enumerator(context, List.of(new FileSplit(path, -1, -1)));
    }

    @Override
    public SplitEnumerator<FileSplit, Collection<FileSplit>> restoreEnumerator(SplitEnumeratorContext<FileSplit> context,
            Collection<FileSplit> checkpoint) {
        return new Enumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<FileSplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Collection<FileSplit>> getEnumeratorCheckpointSerializer() {
        return new PendingSerializer();
    }

    /** The file, and what was last emitted of it (-1: nothing yet). */
    public static final class FileSplit implements SourceSplit {
        final String path;
        final long length;
        final long checksum;

        FileSplit(String path, long length, long checksum) {
            this.path = path;
            this.length = length;
            this.checksum = checksum;
        }

        @Override
        public String splitId() {
            return "exceptions-file";
        }

        @Override
        public String toString() {
            return "FileSplit{" + path + ", length " + length + "}";
        }
    }

    /** Gives the one split to subtask 0 (the source runs with parallelism 1). */
    static final class Enumerator implements SplitEnumerator<FileSplit, Collection<FileSplit>> {
        private final SplitEnumeratorContext<FileSplit> context;
        private final List<FileSplit> pending;

        Enumerator(SplitEnumeratorContext<FileSplit> context, Collection<FileSplit> pending) {
            this.context = context;
            this.pending = new ArrayList<>(pending);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<FileSplit> splits, int subtaskId) {
            pending.addAll(splits);
            if (context.registeredReaders().containsKey(subtaskId)) {
                addReader(subtaskId);
            }
        }

        @Override
        public void addReader(int subtaskId) {
            if (subtaskId == 0 && !pending.isEmpty()) {
                for (FileSplit s : pending) {
                    context.assignSplit(s, subtaskId);
                }
                pending.clear();
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Collection<FileSplit> snapshotState(long checkpointId) {
            return new ArrayList<>(pending);
        }

        @Override
        public void close() {}
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<FileSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(FileSplit split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            write(split, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public FileSplit deserialize(int version, byte[] serialized) throws IOException {
            return read(new DataInputDeserializer(serialized));
        }

        static void write(FileSplit split, DataOutputSerializer out) throws IOException {
            out.writeUTF(split.path);
            out.writeLong(split.length);
            out.writeLong(split.checksum);
        }

        static FileSplit read(DataInputDeserializer in) throws IOException {
            return new FileSplit(in.readUTF(), in.readLong(), in.readLong());
        }
    }

    static final class PendingSerializer implements SimpleVersionedSerializer<Collection<FileSplit>> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Collection<FileSplit> splits) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeInt(splits.size());
            for (FileSplit s : splits) {
                SplitSerializer.write(s, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public Collection<FileSplit> deserialize(int version, byte[] serialized) throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            int n = in.readInt();
            List<FileSplit> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(SplitSerializer.read(in));
            }
            return out;
        }
    }
}
