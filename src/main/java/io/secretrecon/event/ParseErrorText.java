package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;

import java.util.regex.Pattern;

/**
 * The detail text of a record Jackson could not read. Jackson's messages quote the token at the
 * error ({@code Unrecognized token 'gett'}), which inside a payload would be a secret's value, so
 * a message is shown only where it cannot quote one; otherwise only the position is given.
 *
 * <p>The record is {@link PayloadText scanned} up to the error. Jackson reports an error at or
 * after the end of what it quotes (a token is quoted whole and the location follows it), so:
 *
 * <ul>
 *   <li>an error before the first hazard is quoted: the message shows only text a dead letter
 *       keeps anyway;
 *   <li>an error after a payload key or patch annotation mention is never quoted;
 *   <li>an error at an unreadable point (invalid UTF-8, a control character) or an unresolvable
 *       escape is quoted only if it lies within that sequence's own bytes (at most 4 past an
 *       invalid UTF-8 start, 6 past a backslash): Jackson's message is then about that sequence
 *       ({@code Invalid UTF-8 start byte 0xff}, {@code Unrecognized character escape 'q'}). A
 *       payload key hidden in such a sequence (an overlong {@code O}) is followed by more bytes
 *       than that before its value. Jackson's invalid UTF-8 messages name only the byte's value
 *       and are quoted wherever Jackson reports them (in a key or a skipped string it reports at
 *       the end of it);
 *   <li>an error without a byte position (Jackson read the record as UTF-16 or UTF-32) is quoted
 *       only if the whole record is clean (and at most 64 KiB long);
 *   <li>and a message that itself names a payload is never quoted.
 * </ul>
 */
final class ParseErrorText {

    private static final int UTF8_SEQUENCE_BYTES = 4;
    /** Quotes nothing of the record but one byte's value. */
    private static final Pattern INVALID_UTF8 = Pattern.compile("Invalid UTF-8 (start|middle) byte 0x[0-9a-f]{1,8}");
    private static final int ESCAPE_CHARS = 6;

    private ParseErrorText() {}

    /** Jackson's message for invalid JSON, or where it may quote a payload, its position only. */
    static String jsonError(JsonParseException e, byte[] bytes, int offset, int length) {
        String message = firstLine(e.getOriginalMessage());
        JsonLocation at = e.getLocation();
        long errorAt = at == null ? -1 : at.getByteOffset();
        PayloadText.Hazard withheld = withheld(message, errorAt, bytes, offset, length);
        if (withheld == null) {
            return message;
        }
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return "syntax error" + where + " (message withheld: it may quote " + withheld.quoted + ")";
    }

    /**
     * Any other read error (Jackson's UTF-32 decoder, say): its message has no position, so it is
     * quoted only if the record holds no hazard at all.
     */
    static String ioError(Exception e, byte[] bytes, int offset, int length) {
        PayloadText.Scan record = PayloadText.scanUtf8(bytes, offset, length);
        if (record.clean() && !PayloadText.namesPayload(firstLine(e.getMessage()))) {
            return firstLine(e.getMessage());
        }
        PayloadText.Hazard h = record.clean() ? PayloadText.Hazard.PAYLOAD_KEY : record.cutBy();
        return "message withheld: it may quote " + h.quoted;
    }

    /** The hazard that keeps the message from being shown, or null if it may be shown. */
    private static PayloadText.Hazard withheld(String message, long errorAt, byte[] bytes, int offset, int length) {
        if (errorAt < 0) {
            // Only a record that can be kept whole is checked whole; any other is withheld.
            PayloadText.Scan record = PayloadText.scanUtf8(bytes, offset, Math.min(length, DeadLetters.MAX_RECORD_BYTES));
            if (!record.clean()) {
                return record.cutBy();
            }
            if (length > DeadLetters.MAX_RECORD_BYTES) {
                return PayloadText.Hazard.INVALID_UTF8;
            }
        } else {
            PayloadText.Scan record = PayloadText.scanUtf8(bytes, offset, (int) Math.min(length, errorAt + 1));
            if (record.mention == PayloadText.Hazard.PAYLOAD_KEY || record.mention == PayloadText.Hazard.WEBHOOK_PATCH) {
                return record.mention;
            }
            PayloadText.Hazard first = record.cutBy();
            if (first != null) {
                int hazardAt = first == record.mention ? record.mentionAt : record.unreadableAt;
                int ownBytes = first == PayloadText.Hazard.UNRESOLVED_ESCAPE ? ESCAPE_CHARS : UTF8_SEQUENCE_BYTES;
                boolean aboutTheByte = first == PayloadText.Hazard.INVALID_UTF8 && INVALID_UTF8.matcher(message).matches();
                if (errorAt - hazardAt > ownBytes && !aboutTheByte) {
                    return first;
                }
            }
        }
        return PayloadText.namesPayload(message) ? PayloadText.Hazard.PAYLOAD_KEY : null;
    }

    /** The first line of a message (Jackson appends the location on the next). */
    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
