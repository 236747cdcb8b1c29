package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one place dead letters are made: every {@link DeadLetter}, whatever its
 * {@link DeadLetterReason}, is created by a method of this class, so every one goes through the
 * same {@link #sanitize sanitizing}. Its record is the rejected record with secret payloads
 * removed, then cut to {@link #MAX_RECORD_BYTES} of UTF-8. The contract: a dead letter never
 * holds a payload value, whatever the encoding or escaping of the record; where that cannot be
 * made sure, it keeps less of the record ({@link RecordSanitizer}).
 */
public final class DeadLetters {

    public static final int MAX_RECORD_BYTES = 64 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final byte[] NO_BYTES = new byte[0];

    private DeadLetters() {}

    /** The sanitized record text and whether anything was cut off. */
    public static final class Sanitized {
        public final String text;
        public final boolean truncated;

        Sanitized(String text, boolean truncated) {
            this.text = text;
            this.truncated = truncated;
        }
    }

    /**
     * The text a dead letter keeps of a record: {@link RecordSanitizer#stripJson payloads removed}
     * if it is valid JSON, else {@link RecordSanitizer#cutText cut before the first hazard}; at
     * most {@link #MAX_RECORD_BYTES} of UTF-8 either way.
     */
    public static Sanitized sanitize(byte[] bytes, int offset, int length) {
        Sanitized stripped = RecordSanitizer.stripJson(bytes, offset, length);
        return stripped != null ? stripped : RecordSanitizer.cutText(bytes, offset, length);
    }

    public static Sanitized sanitize(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return sanitize(bytes, 0, bytes.length);
    }

    /**
     * A dead letter for any reason: the record is {@link #sanitize sanitized} (payloads removed,
     * at most {@link #MAX_RECORD_BYTES}). Every other factory method ends here.
     *
     * @param item index within an EventList, or -1
     */
    public static DeadLetter of(DeadLetterReason reason, String detail, RecordOrigin origin, int item,
            byte[] bytes, int offset, int length) {
        Sanitized s = sanitize(bytes, offset, length);
        return new DeadLetter(reason.wireName(), detail, origin, item, s.text, s.truncated);
    }

    /** A record that could not be used as an audit event. */
    public static DeadLetter malformed(String detail, RecordOrigin origin, byte[] bytes, int offset, int length) {
        return of(DeadLetterReason.MALFORMED, detail, origin, -1, bytes, offset, length);
    }

    /** One bad item of an EventList; the record is the whole list. */
    public static DeadLetter malformedItem(String detail, RecordOrigin origin, int item, byte[] bytes, int offset, int length) {
        return of(DeadLetterReason.MALFORMED, detail, origin, item, bytes, offset, length);
    }

    /** A malformed input with no record text to keep (an empty Kafka value, an unreadable file). */
    public static DeadLetter malformed(String detail, RecordOrigin origin) {
        return of(DeadLetterReason.MALFORMED, detail, origin, -1, NO_BYTES, 0, 0);
    }

    /**
     * A record longer than {@code source.max-record-size}, of which only the head was kept (it
     * is never read whole). {@code truncated} says whether the kept text is less than the whole
     * record: always when the head is shorter than the record, and when sanitizing cut the head.
     *
     * @param recordBytes the length of the whole record
     * @param limit the configured maximum
     * @param head the first bytes of the record (at most {@link #MAX_RECORD_BYTES} are needed)
     */
    public static DeadLetter tooLarge(long recordBytes, long limit, RecordOrigin origin, byte[] head, int offset, int length) {
        String detail = "record of " + recordBytes + " bytes exceeds source.max-record-size (" + limit + " bytes)";
        DeadLetter d = of(DeadLetterReason.TOO_LARGE, detail, origin, -1, head, offset, length);
        d.truncated |= length < recordBytes;
        return d;
    }

    /**
     * An event at or behind the watermark. The original record is gone by then; the entry carries
     * the rule's view of the event ({@code fields}: ECS names to values, in order, nulls kept),
     * sanitized like any record.
     */
    public static DeadLetter late(long eventTime, long watermark, RecordOrigin origin, Map<String, ?> fields) {
        String detail = "event time " + EventTimes.format(eventTime) + " is not after the watermark "
                + EventTimes.format(watermark);
        return ofView(DeadLetterReason.LATE, detail, origin, fields);
    }

    /**
     * An event whose time is further ahead of the wall clock than {@code watermark.max-future-skew}
     * allows: it would drag event time into the future and make every later event late. Like a late
     * one, it carries the parser's view of the event ({@code fields}: ECS names to a value or an
     * array of values).
     *
     * @param limit the latest event time accepted when it arrived
     */
    public static DeadLetter future(long eventTime, long limit, RecordOrigin origin, Map<String, ?> fields) {
        String detail = "event time " + formatAnyTime(eventTime) + " is beyond the wall clock plus "
                + "watermark.max-future-skew (" + EventTimes.format(limit) + ")";
        return ofView(DeadLetterReason.FUTURE, detail, origin, fields);
    }

    /**
     * An alert an output refused for good, with the output's reason in {@code detail}; the record
     * is the alert document (which never holds a payload, and is sanitized all the same).
     */
    public static DeadLetter rejected(String detail, String document) {
        byte[] record = document.getBytes(StandardCharsets.UTF_8);
        return of(DeadLetterReason.REJECTED, detail, null, -1, record, 0, record.length);
    }

    /** Event times past year 9999 have no ISO-8601 form of four digits: show the epoch millis too. */
    private static String formatAnyTime(long millis) {
        try {
            return EventTimes.format(millis) + " (" + millis + " ms)";
        } catch (RuntimeException e) {
            return millis + " ms since the epoch";
        }
    }

    private static DeadLetter ofView(DeadLetterReason reason, String detail, RecordOrigin origin, Map<String, ?> fields) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, ?> f : fields.entrySet()) {
                Object v = f.getValue();
                if (v instanceof String[]) {
                    g.writeArrayFieldStart(f.getKey());
                    for (String item : (String[]) v) {
                        g.writeString(item);
                    }
                    g.writeEndArray();
                } else {
                    g.writeStringField(f.getKey(), v == null ? null : v.toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] record = w.toString().getBytes(StandardCharsets.UTF_8);
        return of(reason, detail, origin, -1, record, 0, record.length);
    }
}
