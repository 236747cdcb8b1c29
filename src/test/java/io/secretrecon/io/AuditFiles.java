package io.secretrecon.io;

import io.secretrecon.event.ParsedRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads an audit file as the job's file source does: one split, batch by batch ({@link AuditFileFormat}). */
final class AuditFiles {

    private AuditFiles() {}

    static List<ParsedRecord> read(Path file, long maxRecordBytes) throws IOException {
        long size = Files.size(file);
        FileSourceSplit split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()), 0, size, 0, size);
        List<ParsedRecord> out = new ArrayList<>();
        try (BulkFormat.Reader<ParsedRecord> reader = new AuditFileFormat(maxRecordBytes).createReader(new Configuration(), split)) {
            BulkFormat.RecordIterator<ParsedRecord> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<ParsedRecord> r;
                while ((r = batch.next()) != null) {
                    out.add(r.getRecord());
                }
                batch.releaseBatch();
            }
        }
        return out;
    }

    /** The name the file source gives the file in dead letters and origins. */
    static String sourceName(Path file) {
        return new org.apache.flink.core.fs.Path(file.toUri()).toString();
    }
}
