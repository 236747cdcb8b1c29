package io.secretrecon.event;

/**
 * Finds where a text stops being safe to keep: the first point after which it may hold a payload
 * value (a Secret's data in {@code requestObject}/{@code responseObject}, or in a mutating
 * webhook's patch annotation), or after which it cannot be checked for one. Used for records that
 * are not valid JSON (they cannot be stripped member by member, so they are cut there), for string
 * values of valid records (a raw event quoted in {@code event.original}), and for parser messages.
 *
 * <p>A payload value always follows its key, so a text is safe up to the first {@link Hazard}:
 *
 * <ul>
 *   <li>{@link Hazard#PAYLOAD_KEY}: {@code requestObject} or {@code responseObject} anywhere, in
 *       any letter case. Kubernetes field names are case-sensitive, but Jackson (with
 *       case-insensitive properties) and Elasticsearch readers need not be; a case fold as
 *       {@link String#equalsIgnoreCase} does it also maps {@code ſ} to {@code s} and the Kelvin
 *       sign to {@code k}.
 *   <li>{@link Hazard#WEBHOOK_PATCH}: {@code patch.webhook.admission.k8s.io/}, the prefix of the
 *       annotation in which the API server logs a mutating webhook's patch (at audit level Request
 *       and above; the patch can add a Secret's data). Between its words any run of {@code . _ " :
 *       { } whitespace} is accepted, so the raw key, the ECS key ({@code patch_webhook_admission_k8s_io/})
 *       and the same key expanded into nested objects ({@code "patch":{"webhook":...}}) all match.
 *   <li>{@link Hazard#UNRESOLVED_ESCAPE}: an escape no reader resolves (<code>&#92;u004</code>
 *       followed by a non-hex character, a trailing backslash): it could stand for anything to
 *       a broken reader, so nothing after it is kept.
 *   <li>{@link Hazard#CONTROL_CHARACTER}: a C0 control character other than tab, line feed, carriage
 *       return, backspace and form feed. JSON never holds one unescaped, and they are what UTF-16
 *       and UTF-32 text look like when read as UTF-8 ({@code r\0e\0q\0...}): past one the text
 *       cannot be searched.
 *   <li>{@link Hazard#INVALID_UTF8} (bytes only): a byte sequence that is not UTF-8 (a BOM of
 *       UTF-16/32, an overlong {@code O}, which Jackson would read as {@code O}, a surrogate).
 * </ul>
 *
 * <p>Mentions are searched through every level of escaping: the text, then the text with its
 * escapes decoded (<code>request&#92;u004fbject</code>), then that decoded again (a raw event quoted in a
 * string quoted in a string), up to {@value #MAX_LEVELS} levels; a text still holding a backslash
 * after that is cut at it. Escapes are decoded the way every common reader might (JSON, YAML,
 * JavaScript, lenient Jackson: {@code \x4f} and {@code \O} are both {@code O}), so a mention any
 * of them would see is found. Positions always refer to the original text, so a cut never keeps
 * an escape sequence that decodes into a mention.
 */
final class PayloadText {

    /** What makes the rest of a text unsafe. */
    enum Hazard {
        PAYLOAD_KEY("requestObject/responseObject"),
        WEBHOOK_PATCH("a webhook patch annotation"),
        UNRESOLVED_ESCAPE("text hidden behind an escape sequence"),
        CONTROL_CHARACTER("text that is not UTF-8 JSON"),
        INVALID_UTF8("text that is not UTF-8");

        /** For a person: "the message may quote ...". */
        final String quoted;

        Hazard(String quoted) {
            this.quoted = quoted;
        }

        /**
         * Whether the hazard makes the text unreadable, rather than naming a payload: the text up
         * to it is fine, and a message about the hazard itself quotes nothing past it.
         */
        boolean unreadable() {
            return this == CONTROL_CHARACTER || this == INVALID_UTF8;
        }
    }

    /**
     * The result of a scan: the first mention (a payload key, a patch annotation or an
     * unresolvable escape) and the first unreadable point, each with its position (a char index
     * for a string, a byte offset for bytes), and the scanned length. Anything past the first
     * mention is not scanned further.
     */
    static final class Scan {
        final int length;
        Hazard mention;
        int mentionAt = -1;
        Hazard unreadable;
        int unreadableAt = -1;

        Scan(int length) {
            this.length = length;
        }

        /** No hazard at all: the whole text may be kept. */
        boolean clean() {
            return mention == null && unreadable == null;
        }

        /** The length of the longest safe prefix. */
        int safeEnd() {
            int end = length;
            if (mention != null) {
                end = Math.min(end, mentionAt);
            }
            if (unreadable != null) {
                end = Math.min(end, unreadableAt);
            }
            return end;
        }

        /** The hazard at {@link #safeEnd()}, or null if the text is clean. */
        Hazard cutBy() {
            if (unreadable != null && (mention == null || unreadableAt <= mentionAt)) {
                return unreadable;
            }
            return mention;
        }

        private void mention(Hazard h, int at) {
            if (mention == null || at < mentionAt) {
                mention = h;
                mentionAt = at;
            }
        }

        private void unreadable(Hazard h, int at) {
            if (unreadable == null || at < unreadableAt) {
                unreadable = h;
                unreadableAt = at;
            }
        }

        /** Whether a position lies past the first mention: nothing there needs to be looked at. */
        private boolean beyondMention(int at) {
            return mention != null && at >= mentionAt;
        }
    }

    static final int MAX_LEVELS = 8;

    private static final char[] REQUEST_OBJECT = "requestobject".toCharArray();
    private static final char[] RESPONSE_OBJECT = "responseobject".toCharArray();
    private static final char[][] PATCH_WORDS = {
        "patch".toCharArray(), "webhook".toCharArray(), "admission".toCharArray(), "k8s".toCharArray(), "io/".toCharArray()};

    private PayloadText() {}

    /** Scans a string (a JSON string value, already decoded once by the JSON parser, or a message). */
    static Scan scan(String text) {
        Scan s = new Scan(text.length());
        scanLevels(text.toCharArray(), text.length(), null, s);
        return s;
    }

    /** The length of the longest prefix of {@code text} that holds no hazard. */
    static int safeLength(String text) {
        return scan(text).safeEnd();
    }

    /**
     * Scans bytes meant to be UTF-8; positions are byte offsets from {@code offset}. Bytes past an
     * invalid sequence are still searched for mentions (read as U+FFFD where invalid).
     */
    static Scan scanUtf8(byte[] bytes, int offset, int length) {
        Scan s = new Scan(length);
        char[] text = new char[length];
        int[] origin = new int[length];
        int n = 0;
        for (int i = 0; i < length; ) {
            int b0 = bytes[offset + i] & 0xFF;
            if (b0 < 0x80) {
                text[n] = (char) b0;
                origin[n++] = i++;
                continue;
            }
            int cp = decode(bytes, offset, length, i, b0);
            if (cp < 0) {
                s.unreadable(Hazard.INVALID_UTF8, i);
                text[n] = '\uFFFD';
                origin[n++] = i++;
                continue;
            }
            if (cp >= 0x10000) {
                text[n] = Character.highSurrogate(cp);
                origin[n++] = i;
                text[n] = Character.lowSurrogate(cp);
            } else {
                text[n] = (char) cp;
            }
            origin[n++] = i;
            i += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        scanLevels(text, n, origin, s);
        return s;
    }

    /**
     * Whether a member key names a payload: {@code requestObject} or {@code responseObject} as
     * the key or as a segment of a dotted key ({@code kubernetes.audit.requestObject.data}), in
     * any letter case. A key that merely contains the name ({@code requestObjectSize}) does not.
     */
    static boolean isPayloadKey(String key) {
        int from = 0;
        while (from <= key.length()) {
            int dot = key.indexOf('.', from);
            int end = dot < 0 ? key.length() : dot;
            if (segmentIs(key, from, end, REQUEST_OBJECT) || segmentIs(key, from, end, RESPONSE_OBJECT)) {
                return true;
            }
            if (dot < 0) {
                return false;
            }
            from = dot + 1;
        }
        return false;
    }

    /** Whether a text mentions a payload key or a patch annotation, as it stands (no escapes decoded). */
    static boolean namesPayload(String text) {
        char[] t = text.toCharArray();
        for (int i = 0; i < t.length; i++) {
            if (mentionAt(t, i, t.length) != null) {
                return true;
            }
        }
        return false;
    }

    /** Whether a member's path (its keys from the top, joined with dots) names a webhook patch annotation. */
    static boolean namesWebhookPatch(String path) {
        char[] t = path.toCharArray();
        for (int i = 0; i < t.length; i++) {
            if (fold(t[i]) == 'p' && matchesPatch(t, i, t.length)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- the scan

    /**
     * Scans {@code text[0, n)} level by level. {@code origin[i]} is the position of char i in the
     * original text (null: i itself).
     */
    private static void scanLevels(char[] text, int n, int[] origin, Scan s) {
        for (int level = 0; ; level++) {
            int firstBackslash = -1;
            for (int i = 0; i < n; i++) {
                int at = origin == null ? i : origin[i];
                if (s.beyondMention(at)) {
                    break;
                }
                char c = text[i];
                if (level == 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\b' && c != '\f') {
                    s.unreadable(Hazard.CONTROL_CHARACTER, at);
                }
                if (c == '\\' && firstBackslash < 0) {
                    firstBackslash = i;
                }
                Hazard h = mentionAt(text, i, n);
                if (h != null) {
                    s.mention(h, at);
                    break;
                }
            }
            if (firstBackslash < 0) {
                return;
            }
            if (level == MAX_LEVELS) {
                s.mention(Hazard.UNRESOLVED_ESCAPE, origin == null ? firstBackslash : origin[firstBackslash]);
                return;
            }
            // Decode one level of escapes, up to the first mention found so far.
            char[] next = new char[n];
            int[] nextOrigin = new int[n];
            int m = 0;
            for (int i = 0; i < n; ) {
                int at = origin == null ? i : origin[i];
                if (s.beyondMention(at)) {
                    break;
                }
                char c = text[i];
                if (c == '\\') {
                    int decoded = unescape(text, i, n);
                    if (decoded < 0) {
                        s.mention(Hazard.UNRESOLVED_ESCAPE, at);
                        break;
                    }
                    c = (char) decoded;
                    i += decoded >>> 16;
                } else {
                    i++;
                }
                next[m] = c;
                nextOrigin[m++] = at;
            }
            text = next;
            origin = nextOrigin;
            n = m;
        }
    }

    /**
     * The escape at {@code i}, as {@code char | length << 16}, or -1 if no reader resolves it.
     * Resolved as any common reader would: JSON's escapes; {@code \xHH} (YAML, JavaScript,
     * Python); {@code \UHHHHHHHH} (YAML, Python); <code>&#92;u{H...}</code> (JavaScript); any other
     * escaped character as itself (JavaScript, Jackson's lenient mode). A code point beyond the
     * BMP becomes U+FFFD: no mention holds one. Unresolvable: <code>&#92;u</code> without four hex digits
     * and a trailing backslash, which no reader turns into text, but which could stand for
     * anything to one that is broken or unknown.
     */
    private static int unescape(char[] t, int i, int n) {
        if (i + 1 >= n) {
            return -1;
        }
        char c = t[i + 1];
        switch (c) {
            case 'b': return '\b' | 2 << 16;
            case 'f': return '\f' | 2 << 16;
            case 'n': return '\n' | 2 << 16;
            case 'r': return '\r' | 2 << 16;
            case 't': return '\t' | 2 << 16;
            case 'u':
                if (i + 2 < n && t[i + 2] == '{') {
                    int end = i + 3;
                    while (end < n && end < i + 10 && hex(t[end]) >= 0) {
                        end++;
                    }
                    if (end == i + 3 || end >= n || t[end] != '}') {
                        return -1;
                    }
                    return bmp(hexValue(t, i + 3, end)) | (end + 1 - i) << 16;
                }
                int v = hexValue(t, i + 2, Math.min(n, i + 6));
                return v < 0 || i + 6 > n ? -1 : v | 6 << 16;
            case 'x':
                int x = i + 4 <= n ? hexValue(t, i + 2, i + 4) : -1;
                return x < 0 ? 'x' | 2 << 16 : x | 4 << 16;
            case 'U':
                int u = i + 10 <= n ? hexValue(t, i + 2, i + 10) : -1;
                return u < 0 ? 'U' | 2 << 16 : bmp(u) | 10 << 16;
            default:
                return c | 2 << 16;
        }
    }

    /** The value of the hex digits {@code t[from, to)}, or -1 if one is not a hex digit. */
    private static int hexValue(char[] t, int from, int to) {
        int v = 0;
        for (int k = from; k < to; k++) {
            int d = hex(t[k]);
            if (d < 0 || v > 0x10FFFF) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static int bmp(int codePoint) {
        return codePoint < 0 || codePoint > 0xFFFF ? 0xFFFD : codePoint;
    }

    /** An ASCII hex digit's value (JSON accepts no other digits), else -1. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static Hazard mentionAt(char[] t, int i, int n) {
        char c = fold(t[i]);
        if (c == 'r' && (matches(t, i, n, REQUEST_OBJECT) || matches(t, i, n, RESPONSE_OBJECT))) {
            return Hazard.PAYLOAD_KEY;
        }
        if (c == 'p' && matchesPatch(t, i, n)) {
            return Hazard.WEBHOOK_PATCH;
        }
        return null;
    }

    private static boolean matches(char[] t, int i, int n, char[] word) {
        if (i + word.length > n) {
            return false;
        }
        for (int j = 0; j < word.length; j++) {
            if (fold(t[i + j]) != word[j]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesPatch(char[] t, int i, int n) {
        int j = i;
        for (int w = 0; w < PATCH_WORDS.length; w++) {
            if (w > 0) {
                int start = j;
                while (j < n && isSeparator(t[j])) {
                    j++;
                }
                if (j == start) {
                    return false;
                }
            }
            if (!matches(t, j, n, PATCH_WORDS[w])) {
                return false;
            }
            j += PATCH_WORDS[w].length;
        }
        return true;
    }

    private static boolean isSeparator(char c) {
        switch (c) {
            case '.': case '_': case '"': case ':': case '{': case '}':
            case ' ': case '\t': case '\n': case '\r':
                return true;
            default:
                return false;
        }
    }

    private static boolean segmentIs(String key, int from, int end, char[] word) {
        if (end - from != word.length) {
            return false;
        }
        for (int j = 0; j < word.length; j++) {
            if (fold(key.charAt(from + j)) != word[j]) {
                return false;
            }
        }
        return true;
    }

    /** Case fold as {@link String#equalsIgnoreCase} compares: upper case, then lower case. */
    static char fold(char c) {
        if (c < 0x80) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    /**
     * The code point of the UTF-8 sequence starting with {@code b0} at {@code i}, or -1 if it is
     * not well-formed UTF-8 (as Java's decoder judges: no overlong forms, no surrogates, nothing
     * above U+10FFFF, no truncated sequence).
     */
    private static int decode(byte[] bytes, int offset, int length, int i, int b0) {
        int need;
        int cp;
        int min;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
            cp = b0 & 0x1F;
            min = 0x80;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            cp = b0 & 0x0F;
            min = 0x800;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            cp = b0 & 0x07;
            min = 0x10000;
        } else {
            return -1;
        }
        if (i + need >= length) {
            return -1;
        }
        for (int k = 1; k <= need; k++) {
            int b = bytes[offset + i + k] & 0xFF;
            if ((b & 0xC0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return -1;
        }
        return cp;
    }
}
