package io.secretrecon.rule.exceptions;

import io.secretrecon.event.RecordOrigin;

/**
 * One record of the control stream, as a control source reads it, not yet interpreted:
 *
 * <ul>
 *   <li>a Kafka record of {@code rule.exceptions-topic}: {@link #key} (the exception id),
 *       {@link #value} (the entry's JSON, null for a tombstone) and the record's timestamp;
 *   <li>a version of {@code rule.exceptions-file}: every line of the file in {@link #lines}
 *       (the whole set of exceptions), and the file's modification time;
 *   <li>a control input that could not be read at all (a file too large or not UTF-8):
 *       {@link #error}.
 * </ul>
 *
 * {@link ExceptionChanges#apply} interprets it against the exceptions in force.
 */
public class ExceptionRecord {

    public String key;
    public String value;
    /** Epoch ms: the Kafka record timestamp, or the file's modification time. */
    public long timestamp;
    public RecordOrigin origin;
    /** A file version's lines; null for a Kafka record. */
    public String[] lines;
    /** Why the control input could not be read; null normally. */
    public String error;

    public ExceptionRecord() {}

    public static ExceptionRecord kafka(String key, String value, long timestamp, RecordOrigin origin) {
        ExceptionRecord r = new ExceptionRecord();
        r.key = key;
        r.value = value;
        r.timestamp = timestamp;
        r.origin = origin;
        return r;
    }

    public static ExceptionRecord fileVersion(String[] lines, long modificationTime, String path) {
        ExceptionRecord r = new ExceptionRecord();
        r.lines = lines;
        r.timestamp = modificationTime;
        r.origin = RecordOrigin.fileLine(path, 0);
        return r;
    }

    public static ExceptionRecord unreadable(String error, RecordOrigin origin) {
        ExceptionRecord r = new ExceptionRecord();
        r.error = error;
        r.origin = origin;
        return r;
    }

    public boolean isFileVersion() {
        return lines != null;
    }
}
