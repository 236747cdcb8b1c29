package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;

import java.nio.charset.StandardCharsets;

/**
 * The detail text of a record Jackson could not parse. Jackson's messages quote the token at the
 * error ({@code Unrecognized token 'gett'}), which inside a payload would be a secret's value, so
 * a message is shown only where it cannot quote one.
 */
final class ParseErrorText {

    private static final byte[][] PAYLOAD_NAMES = {
        "requestObject".getBytes(StandardCharsets.US_ASCII), "responseObject".getBytes(StandardCharsets.US_ASCII)};

    private ParseErrorText() {}

    /**
     * Jackson's message, unless the error lies at or after a payload's name: then the message may
     * quote a token of the payload (a secret's value), so only the position is given.
     */
    static String jsonError(JsonParseException e, byte[] bytes, int offset, int length) {
        JsonLocation at = e.getLocation();
        long errorAt = at == null ? -1 : at.getByteOffset();
        long mention = -1;
        for (byte[] name : PAYLOAD_NAMES) {
            long i = indexOf(bytes, offset, length, name);
            if (i >= 0 && (mention < 0 || i < mention)) {
                mention = i;
            }
        }
        if (mention >= 0 && (errorAt < 0 || errorAt >= mention)) {
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return "syntax error" + where + " (message withheld: it may quote requestObject/responseObject)";
        }
        return firstLine(e.getOriginalMessage());
    }

    /** Index of {@code name} in the slice, relative to {@code offset}; -1 if absent. */
    private static long indexOf(byte[] bytes, int offset, int length, byte[] name) {
        outer:
        for (int i = 0; i + name.length <= length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (bytes[offset + i + j] != name[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
