package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one place dead letters are made: every {@link DeadLetter}, whatever its
 * {@link DeadLetterReason}, is created by a method of this class, so every one goes through the
 * same sanitizing. Its record is the rejected record with secret payloads removed, then cut to
 * {@link #MAX_RECORD_BYTES} of UTF-8.
 *
 * <p>A record that is valid JSON is re-written without any member named {@code requestObject} or
 * {@code responseObject} (also as a segment of a dotted ECS key) at any depth, and a string value
 * that mentions either (a raw event quoted in {@code event.original}) is cut before it. A record
 * that is not valid JSON cannot be stripped member by member, so it is cut before the first
 * occurrence of either name: the rest may hold a secret's value.
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

    public static Sanitized sanitize(byte[] bytes, int offset, int length) {
        boolean[] cut = {false};
        String stripped = stripPayloads(bytes, offset, length, cut);
        if (stripped == null) {
            String raw = new String(bytes, offset, length, StandardCharsets.UTF_8);
            int at = firstPayloadMention(raw);
            if (at >= 0) {
                raw = raw.substring(0, at);
                cut[0] = true;
            }
            stripped = raw;
        }
        return truncate(stripped, cut[0]);
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
    public static DeadLetter late(long eventTime, long watermark, RecordOrigin origin, Map<String, String> fields) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, String> f : fields.entrySet()) {
                g.writeStringField(f.getKey(), f.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String detail = "event time " + EventTimes.format(eventTime) + " is not after the watermark "
                + EventTimes.format(watermark);
        byte[] record = w.toString().getBytes(StandardCharsets.UTF_8);
        return of(DeadLetterReason.LATE, detail, origin, -1, record, 0, record.length);
    }

    private static int firstPayloadMention(String raw) {
        int a = raw.indexOf("requestObject");
        int b = raw.indexOf("responseObject");
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }

    /** A payload member, or a dotted key through one ({@code kubernetes.audit.requestObject.data}). */
    private static boolean isPayloadKey(String key) {
        if (firstPayloadMention(key) < 0) {
            return false;
        }
        for (String segment : key.split("\\.", -1)) {
            if (segment.equals("requestObject") || segment.equals("responseObject")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Re-writes valid JSON without payload members; null if the input is not valid JSON. A string
     * value that mentions a payload (a raw event quoted in {@code event.original}) is cut before
     * the mention, and {@code cut[0]} set.
     */
    private static String stripPayloads(byte[] bytes, int offset, int length, boolean[] cut) {
        StringWriter out = new StringWriter(Math.min(length, MAX_RECORD_BYTES) + 16);
        try (JsonParser p = JSON.createParser(bytes, offset, length);
                JsonGenerator g = JSON.createGenerator(out)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            copy(p, g, t, cut);
            if (p.nextToken() != null) {
                return null;
            }
            g.flush();
            return out.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void copy(JsonParser p, JsonGenerator g, JsonToken t, boolean[] cut) throws IOException {
        switch (t) {
            case START_OBJECT:
                g.writeStartObject();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (isPayloadKey(name)) {
                        p.skipChildren();
                        continue;
                    }
                    g.writeFieldName(name);
                    copy(p, g, value, cut);
                }
                g.writeEndObject();
                break;
            case START_ARRAY:
                g.writeStartArray();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    copy(p, g, t, cut);
                }
                g.writeEndArray();
                break;
            case VALUE_STRING:
                String text = p.getText();
                int at = firstPayloadMention(text);
                if (at >= 0) {
                    text = text.substring(0, at);
                    cut[0] = true;
                }
                g.writeString(text);
                break;
            default:
                g.copyCurrentEvent(p);
        }
    }

    private static Sanitized truncate(String text, boolean alreadyCut) {
        // Fast path: a string of n chars is at most 3n UTF-8 bytes.
        if ((long) text.length() * 3 <= MAX_RECORD_BYTES) {
            return new Sanitized(text, alreadyCut);
        }
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > MAX_RECORD_BYTES) {
                return new Sanitized(text.substring(0, i), true);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return new Sanitized(text, alreadyCut);
    }
}
