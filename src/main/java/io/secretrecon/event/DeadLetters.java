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
 * {@code responseObject} (also as the last segment of a dotted ECS key) at any depth. A record
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
        String stripped = stripPayloads(bytes, offset, length);
        boolean cut = false;
        if (stripped == null) {
            String raw = new String(bytes, offset, length, StandardCharsets.UTF_8);
            int at = firstPayloadMention(raw);
            if (at >= 0) {
                raw = raw.substring(0, at);
                cut = true;
            }
            stripped = raw;
        }
        return truncate(stripped, cut);
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

    private static boolean isPayloadKey(String key) {
        int dot = key.lastIndexOf('.');
        String last = dot < 0 ? key : key.substring(dot + 1);
        return last.equals("requestObject") || last.equals("responseObject");
    }

    /** Re-writes valid JSON without payload members; null if the input is not valid JSON. */
    private static String stripPayloads(byte[] bytes, int offset, int length) {
        StringWriter out = new StringWriter(Math.min(length, MAX_RECORD_BYTES) + 16);
        try (JsonParser p = JSON.createParser(bytes, offset, length);
                JsonGenerator g = JSON.createGenerator(out)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            copy(p, g, t);
            if (p.nextToken() != null) {
                return null;
            }
            g.flush();
            return out.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void copy(JsonParser p, JsonGenerator g, JsonToken t) throws IOException {
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
                    copy(p, g, value);
                }
                g.writeEndObject();
                break;
            case START_ARRAY:
                g.writeStartArray();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    copy(p, g, t);
                }
                g.writeEndArray();
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
