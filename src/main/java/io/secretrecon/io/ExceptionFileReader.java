package io.secretrecon.io;

import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.InputStatus;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Reads the exceptions file of {@link ExceptionFileSource}: on the task thread (the file is small
 * and bounded), every poll interval, emitting a version when the content differs from the last
 * one emitted. Between polls it is unavailable, so it costs nothing.
 */
final class ExceptionFileReader implements SourceReader<ExceptionRecord, ExceptionFileSource.FileSplit> {

    private final long pollIntervalMillis;
    private final boolean bounded;
    private final int maxBytes;

    private ExceptionFileSource.FileSplit split;
    private boolean noMoreSplits;
    private boolean readOnce;
    private long nextPoll;
    private CompletableFuture<Void> splitArrived = new CompletableFuture<>();
    private CompletableFuture<Void> pollDue;

    ExceptionFileReader(long pollIntervalMillis, boolean bounded, int maxBytes) {
        this.pollIntervalMillis = pollIntervalMillis;
        this.bounded = bounded;
        this.maxBytes = maxBytes;
    }

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<ExceptionRecord> output) throws IOException {
        if (split == null) {
            return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }
        if (bounded && readOnce) {
            return InputStatus.END_OF_INPUT;
        }
        long now = System.currentTimeMillis();
        if (now < nextPoll) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        nextPoll = now + pollIntervalMillis;
        ExceptionRecord version = poll();
        if (version != null) {
            output.collect(version);
        }
        if (bounded) {
            readOnce = true;
            return InputStatus.MORE_AVAILABLE; // END_OF_INPUT on the next call
        }
        return InputStatus.NOTHING_AVAILABLE;
    }

    /** The file's content if it changed since the last version emitted, else null. */
    private ExceptionRecord poll() throws IOException {
        Path path = new Path(split.path);
        FileSystem fs = path.getFileSystem();
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException missing) {
            return null; // being replaced, or deleted: the exceptions in force stay as they are
        }
        RecordOrigin origin = RecordOrigin.fileLine(split.path, 0);
        if (status.getLen() > maxBytes) {
            return changed(status.getLen(), -2, ExceptionRecord.unreadable("the exceptions file is larger than "
                    + maxBytes + " bytes; nothing is applied", origin));
        }
        byte[] bytes;
        try (FSDataInputStream in = fs.open(path)) {
            bytes = readAtMost(in, maxBytes + 1);
        } catch (FileNotFoundException replacedMeanwhile) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        long checksum = crc.getValue();
        if (bytes.length == split.length && checksum == split.checksum) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return changed(bytes.length, checksum, ExceptionRecord.unreadable(
                    "the exceptions file is not UTF-8 text; nothing is applied", origin));
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\r?\n", -1);
        return changed(bytes.length, checksum, ExceptionRecord.fileVersion(lines, status.getModificationTime(), split.path));
    }

    private ExceptionRecord changed(long length, long checksum, ExceptionRecord record) {
        split = new ExceptionFileSource.FileSplit(split.path, length, checksum);
        return record;
    }

    private static byte[] readAtMost(FSDataInputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public List<ExceptionFileSource.FileSplit> snapshotState(long checkpointId) {
        return split == null ? List.of() : List.of(split);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        if (split == null) {
            return noMoreSplits ? CompletableFuture.completedFuture(null) : splitArrived;
        }
        long wait = nextPoll - System.currentTimeMillis();
        if (wait <= 0 || (bounded && readOnce)) {
            return CompletableFuture.completedFuture(null);
        }
        if (pollDue == null || pollDue.isDone()) {
            pollDue = CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
        }
        return pollDue;
    }

    @Override
    public void addSplits(List<ExceptionFileSource.FileSplit> splits) {
        if (!splits.isEmpty()) {
            split = splits.get(0);
            nextPoll = 0;
            splitArrived.complete(null);
        }
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        splitArrived.complete(null);
    }

    @Override
    public void close() {
        // pollDue is left to complete by itself: cancelling it would fail the task's callbacks on it
    }
}
