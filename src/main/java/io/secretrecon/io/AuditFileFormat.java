package io.secretrecon.io;

import io.secretrecon.event.AuditRecordParser;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.IteratorResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads NDJSON audit logs, plain or gzip (recognised by content, not by name), one whole file per
 * split, and parses each line with {@link AuditRecordParser}; dead letters name the file and line.
 * Blank lines are skipped.
 *
 * <p>The checkpointed position is the number of records emitted from the file: a restored reader
 * reads the file again from its start and skips them (gzip cannot seek).
 */
public final class AuditFileFormat implements BulkFormat<ParsedRecord, FileSourceSplit> {

    private static final long serialVersionUID = 1L;
    private static final int BATCH_LINES = 512;

    private final long maxRecordBytes;

    public AuditFileFormat(long maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** A bounded source over files and directories of audit logs (see {@link AuditFileFilter}). */
    public static FileSource<ParsedRecord> source(List<Path> paths, long maxRecordBytes) {
        AuditFileFilter filter = new AuditFileFilter(new java.util.HashSet<>(paths));
        return FileSource.forBulkFileFormat(new AuditFileFormat(maxRecordBytes), paths.toArray(new Path[0]))
                .setFileEnumerator(() -> new NonSplittingRecursiveEnumerator(filter))
                .build();
    }

    @Override
    public Reader<ParsedRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, 0);
    }

    @Override
    public Reader<ParsedRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new FileReader(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }

    private final class FileReader implements BulkFormat.Reader<ParsedRecord> {
        private final InputStream stream;
        private final LineReader lines;
        private final AuditRecordParser parser = new AuditRecordParser(maxRecordBytes);
        private final String file;
        private long emitted;
        private long toSkip;
        private boolean broken;

        FileReader(FileSourceSplit split, long skip) throws IOException {
            Path path = split.path();
            FileSystem fs = path.getFileSystem();
            FSDataInputStream raw = fs.open(path);
            this.stream = maybeGunzip(new BufferedInputStream(raw, 64 * 1024));
            this.file = path.toString();
            this.lines = new LineReader(stream, (int) Math.min(Integer.MAX_VALUE - 16, maxRecordBytes),
                    DeadLetters.MAX_RECORD_BYTES);
            this.toSkip = skip;
        }

        @Override
        public RecordIterator<ParsedRecord> readBatch() throws IOException {
            List<ParsedRecord> batch = new ArrayList<>(BATCH_LINES);
            long batchStart = emitted;
            // Up to BATCH_LINES lines, and on until a record comes or the file ends: an empty
            // batch ends the split, which a run of blank lines or empty EventLists must not do.
            for (int n = 0; (n < BATCH_LINES || batch.isEmpty()) && !broken && nextLine(batch); n++) {
                if (lines.isBlank()) {
                    continue;
                }
                RecordOrigin origin = RecordOrigin.fileLine(file, lines.lineNumber());
                if (lines.overflowed()) {
                    batch.add(ParsedRecord.of(DeadLetters.tooLarge(lines.fullLength(), maxRecordBytes, origin,
                            lines.bytes(), lines.offset(), lines.length())));
                } else {
                    parser.parse(lines.bytes(), lines.offset(), lines.length(), origin, null, batch::add);
                }
            }
            if (batch.isEmpty()) {
                return null;
            }
            emitted += batch.size();
            // Records already emitted before a restore are parsed again (deterministically) and dropped.
            int drop = (int) Math.min(toSkip, batch.size());
            toSkip -= drop;
            List<ParsedRecord> out = drop == 0 ? batch : batch.subList(drop, batch.size());
            return new IteratorResultIterator<>(out.iterator(), CheckpointedPosition.NO_OFFSET, batchStart + drop);
        }

        /**
         * Advances to the next line. A file that cannot be read on (a truncated gzip, an I/O
         * error) ends with one dead letter instead of failing the job.
         */
        private boolean nextLine(List<ParsedRecord> batch) {
            try {
                return lines.next();
            } catch (IOException e) {
                broken = true;
                String detail = "file unreadable after line " + lines.lineNumber() + ": " + e;
                batch.add(ParsedRecord.of(DeadLetters.malformed(detail, RecordOrigin.fileLine(file, lines.lineNumber() + 1))));
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    private static InputStream maybeGunzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(in, 64 * 1024);
        }
        return in;
    }
}
