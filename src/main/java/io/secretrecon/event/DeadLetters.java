package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Turns a rejected record into the text kept in a dead-letter entry: secret payloads removed,
 * then cut to {@link #MAX_RECORD_BYTES} of UTF-8.
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

    public static DeadLetter of(String reason, String detail, RecordOrigin origin, int item, byte[] bytes, int offset, int length) {
        Sanitized s = sanitize(bytes, offset, length);
        return new DeadLetter(reason, detail, origin, item, s.text, s.truncated);
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
