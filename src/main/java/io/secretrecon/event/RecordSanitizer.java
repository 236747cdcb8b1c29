package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static io.secretrecon.event.DeadLetters.MAX_RECORD_BYTES;

/**
 * Makes the text a dead letter keeps of a rejected record: no payload value in it, at most
 * {@link DeadLetters#MAX_RECORD_BYTES} of UTF-8.
 *
 * <p>A record that is valid JSON (for Jackson, which also reads UTF-16 and UTF-32) is re-written
 * member by member ({@link #stripJson}): a member whose key names a payload
 * ({@link PayloadText#isPayloadKey}: {@code requestObject}, {@code responseObject}, in any case,
 * also as a segment of a dotted ECS key) is dropped at any depth, and so is a member whose path
 * names a mutating webhook's patch annotation ({@link PayloadText#namesWebhookPatch}, nested,
 * dotted, ECS-underscored or expanded into objects), and so is a key that still holds an escape
 * decoding into a mention; a string value is cut before its first
 * {@link PayloadText hazard} (a raw event quoted in {@code event.original}). Removing a member
 * does not mark the record truncated (the document says what is left out); cutting a value does.
 *
 * <p>A record that is not valid JSON cannot be stripped member by member, so it is cut before its
 * first hazard ({@link #cutText}); past an invalid UTF-8 sequence nothing is kept (the cut shows
 * as one U+FFFD), since the rest may be another encoding the search is blind to.
 */
final class RecordSanitizer {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * The text path looks at a little more than it can keep: a hazard that starts before the
     * limit but ends after it needs no cut (its value lies past the limit), but an escape that
     * straddles the limit should not look unresolvable.
     */
    private static final int SCAN_SLACK = 64;

    private RecordSanitizer() {}

    /** The record re-written without payloads, or null if it is not valid JSON. */
    static DeadLetters.Sanitized stripJson(byte[] bytes, int offset, int length) {
        boolean[] cut = {false};
        StringWriter out = new StringWriter(Math.min(length, MAX_RECORD_BYTES) + 16);
        try (JsonParser p = JSON.createParser(bytes, offset, length);
                JsonGenerator g = JSON.createGenerator(out)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            copy(p, g, t, null, cut);
            if (p.nextToken() != null) {
                return null;
            }
            g.flush();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return truncate(out.toString(), cut[0]);
    }

    /** The longest safe prefix of a record that is not valid JSON. */
    static DeadLetters.Sanitized cutText(byte[] bytes, int offset, int length) {
        PayloadText.Scan scan = PayloadText.scanUtf8(bytes, offset, Math.min(length, MAX_RECORD_BYTES + SCAN_SLACK));
        int end = scan.safeEnd();
        boolean cut = end < length;
        boolean replacement = scan.cutBy() == PayloadText.Hazard.INVALID_UTF8;
        if (end > MAX_RECORD_BYTES) {
            end = MAX_RECORD_BYTES;
            // Never split a character: back off to the start of the one the limit falls in.
            while (end > 0 && (bytes[offset + end] & 0xC0) == 0x80) {
                end--;
            }
            replacement = false;
            cut = true;
        }
        String text = new String(bytes, offset, end, StandardCharsets.UTF_8);
        return truncate(replacement ? text + '\uFFFD' : text, cut);
    }

    /** Copies the current value; {@code path} is the member's keys from the top joined with dots, null at the top. */
    private static void copy(JsonParser p, JsonGenerator g, JsonToken t, String path, boolean[] cut) throws IOException {
        switch (t) {
            case START_OBJECT:
                g.writeStartObject();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    String memberPath = path == null ? name : path + "." + name;
                    if (PayloadText.isPayloadKey(name) || PayloadText.namesWebhookPatch(memberPath) || escapedMention(name)) {
                        p.skipChildren();
                        continue;
                    }
                    g.writeFieldName(name);
                    copy(p, g, value, memberPath, cut);
                }
                g.writeEndObject();
                break;
            case START_ARRAY:
                g.writeStartArray();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    copy(p, g, t, path, cut);
                }
                g.writeEndArray();
                break;
            case VALUE_STRING:
                String text = p.getText();
                if (text.length() > MAX_RECORD_BYTES) {
                    // No more than this can survive the cut of the whole record: scan no more.
                    int end = Character.isHighSurrogate(text.charAt(MAX_RECORD_BYTES - 1)) ? MAX_RECORD_BYTES - 1 : MAX_RECORD_BYTES;
                    text = text.substring(0, end);
                    cut[0] = true;
                }
                int safe = PayloadText.safeLength(text);
                if (safe < text.length()) {
                    text = text.substring(0, safe);
                    cut[0] = true;
                }
                g.writeString(text);
                break;
            default:
                g.copyCurrentEvent(p);
        }
    }

    /**
     * A key still holding a backslash after the JSON parser decoded it ({@code "request\\u004fbject"}):
     * no Kubernetes field looks like that, and one that decodes further into a mention is dropped.
     */
    private static boolean escapedMention(String key) {
        return key.indexOf('\\') >= 0 && PayloadText.scan(key).mention != null;
    }

    /** Cuts to {@link DeadLetters#MAX_RECORD_BYTES} of UTF-8, never inside a character. */
    static DeadLetters.Sanitized truncate(String text, boolean alreadyCut) {
        // Fast path: a string of n chars is at most 3n UTF-8 bytes.
        if ((long) text.length() * 3 <= MAX_RECORD_BYTES) {
            return new DeadLetters.Sanitized(text, alreadyCut);
        }
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > MAX_RECORD_BYTES) {
                return new DeadLetters.Sanitized(text.substring(0, i), true);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return new DeadLetters.Sanitized(text, alreadyCut);
    }
}
