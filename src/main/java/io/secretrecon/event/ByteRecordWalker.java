package io.secretrecon.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parser's fast path: the walk of {@link AuditRecordWalker}, done on the record's bytes
 * instead of on Jackson's tokens, for the records that are plain enough to need nothing else.
 * It checks the JSON grammar of the whole record, descends only into the members that lead to an
 * {@link AuditField}, and skips every other member without decoding it: a skipped key is never
 * turned into a name, a skipped string never into text, a skipped number never into a value.
 *
 * <p>It <em>declines</em> a record (returns false, and the caller walks it again with Jackson)
 * whenever the record holds anything whose meaning it would have to decide itself:
 * <ul>
 *   <li>invalid JSON of any kind, so that Jackson words the error;
 *   <li>a byte outside printable ASCII inside a string (UTF-8 text, which Jackson validates), an
 *       escape in a key or in a value the rule reads, a BOM, whitespace other than JSON's four;
 *   <li>a value of the wrong type where the rule reads one, a repeated key among the read
 *       members, an EventList item that is not an object or that holds any of the above;
 *   <li>anything near one of Jackson's limits (nesting, name and number lengths).
 * </ul>
 * So a record it accepts gives exactly the {@link FieldValues} the Jackson walk gives, and every
 * error is still found and worded by Jackson. {@code ByteRecordWalkerTest} holds both walks to
 * that on the sample data and on mutated records.
 *
 * <p>Not thread-safe: one instance per parser.
 */
final class ByteRecordWalker {

    /** Below Jackson's nesting limit (256, {@link AuditRecordParser}). */
    private static final int MAX_DEPTH = 200;
    /** Below Jackson's default maximum name length (50,000). */
    private static final int MAX_KEY_BYTES = 10_000;
    /** Below Jackson's default maximum number length (1,000). */
    private static final int MAX_NUMBER_BYTES = 100;
    /** Below Jackson's default maximum string length (20,000,000). */
    private static final int MAX_VALUE_BYTES = 10_000_000;

    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte BACKSLASH = 2;
    private static final byte DECLINE = 3;
    /** What each byte is inside a string: control characters and non-ASCII bytes are declined. */
    private static final byte[] IN_STRING = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            IN_STRING[c] = c < 0x20 || c >= 0x80 ? DECLINE : PLAIN;
        }
        IN_STRING['"'] = QUOTE;
        IN_STRING['\\'] = BACKSLASH;
    }

    private static final byte[] ITEMS = "items".getBytes(StandardCharsets.US_ASCII);

    /** Thrown to unwind the walk when a record is declined; one instance, no stack trace. */
    private static final class Declined extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Declined() {
            super("declined", null, false, false);
        }
    }

    private static final Declined DECLINED = new Declined();

    private byte[] b;
    private int i;
    private int end;
    private int depth;
    /** Whether the last string scanned held an escape. */
    private boolean escaped;
    /** Offsets of the read keys of the objects being walked, for the duplicate check. */
    private int[] seen = new int[32];

    /** The items of the record's top-level {@code items} array (an EventList), or null: set by {@link #readRecord}. */
    private List<FieldValues> items;

    /**
     * Walks the record {@code bytes[offset, offset + length)} into {@code top}. Returns false if
     * it declines the record: {@code top} may then hold some values and must be thrown away.
     * After true, {@link #items()} holds the items of an EventList.
     */
    boolean readRecord(byte[] bytes, int offset, int length, FieldValues top) {
        b = bytes;
        i = offset;
        end = offset + length;
        depth = 0;
        items = null;
        try {
            skipWhitespace();
            if (i >= end || b[i] != '{') {
                return false;
            }
            i++;
            readObject(FieldTrie.RECORD, top, true, 0);
            skipWhitespace();
            return i == end;
        } catch (Declined d) {
            items = null;
            return false;
        } finally {
            b = null;
        }
    }

    /**
     * The items of a top-level {@code items} array of the record {@link #readRecord} accepted,
     * each walked as a raw event (as {@code AuditRecordWalker} reads them), or null if it had none.
     */
    List<FieldValues> items() {
        return items;
    }

    /**
     * The members of an object whose {@code {} was consumed, where the trie has {@code node}
     * (null: an object the rule does not read, checked and skipped); {@code seenFrom} is where
     * its read keys go in {@link #seen}.
     */
    private void readObject(FieldTrie.Node node, FieldValues values, boolean top, int seenFrom) {
        enter();
        skipWhitespace();
        if (peek() == '}') {
            i++;
            depth--;
            return;
        }
        int seenCount = seenFrom;
        while (true) {
            expect('"');
            int keyFrom = i;
            int keyTo = stringEnd();
            if ((escaped && node != null) || keyTo - keyFrom > MAX_KEY_BYTES) {
                throw DECLINED;
            }
            i = keyTo + 1;
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (node == null) {
                readValue(null, values, seenCount);
            } else if (top && equals(keyFrom, keyTo, ITEMS)) {
                seenCount = remember(seenFrom, seenCount, keyFrom, keyTo);
                if (peek() == '[') {
                    i++;
                    readItems(seenCount);
                } else {
                    readValue(null, values, seenCount); // as in the Jackson walk: items that are not an array are no items
                }
            } else {
                FieldTrie.Node child = node.resolveLiteral(b, keyFrom, keyTo);
                if (child == null && contains(keyFrom, keyTo, (byte) '.')) {
                    child = node.resolve(new String(b, keyFrom, keyTo - keyFrom, StandardCharsets.ISO_8859_1));
                }
                if (child != null) {
                    seenCount = remember(seenFrom, seenCount, keyFrom, keyTo);
                }
                readValue(child, values, seenCount);
            }
            skipWhitespace();
            byte c = next();
            if (c == ',') {
                skipWhitespace();
            } else if (c == '}') {
                depth--;
                return;
            } else {
                throw DECLINED;
            }
        }
    }

    /** The elements of an EventList's {@code items}, whose {@code [} was consumed: each one an object, walked as a raw event. */
    private void readItems(int seenFrom) {
        enter();
        List<FieldValues> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            i++;
        } else {
            while (true) {
                // A bad item is the Jackson walk's to word (its dead letter names the item): decline.
                if (next() != '{') {
                    throw DECLINED;
                }
                FieldValues item = new FieldValues();
                readObject(FieldTrie.RAW_ITEM, item, false, seenFrom);
                list.add(item);
                skipWhitespace();
                byte c = next();
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    throw DECLINED;
                }
                skipWhitespace();
            }
        }
        depth--;
        items = list;
    }

    /** Records a read key at {@code seen[count]}; a repeated one is left to the Jackson walk, which words the error. */
    private int remember(int from, int count, int keyFrom, int keyTo) {
        for (int k = from; k < count; k += 2) {
            if (seen[k + 1] - seen[k] == keyTo - keyFrom
                    && Arrays.equals(b, seen[k], seen[k + 1], b, keyFrom, keyTo)) {
                throw DECLINED;
            }
        }
        if (count + 2 > seen.length) {
            seen = Arrays.copyOf(seen, seen.length * 2);
        }
        seen[count] = keyFrom;
        seen[count + 1] = keyTo;
        return count + 2;
    }

    /**
     * A value where the trie has {@code node}: what {@code AuditRecordWalker.readValue} reads
     * without a type error. With {@code node} null (a member the rule does not read) any JSON
     * value, checked and not decoded.
     */
    private void readValue(FieldTrie.Node node, FieldValues values, int seenFrom) {
        byte c = peek();
        if (c == '"') {
            i++;
            int from = i;
            int to = stringEnd();
            if (node != null) {
                if (node.field == null || escaped || to - from > MAX_VALUE_BYTES) {
                    throw DECLINED;
                }
                values.add(node.field, new String(b, from, to - from, StandardCharsets.ISO_8859_1));
            }
            i = to + 1;
        } else if (c == '{') {
            if (node != null && !node.hasChildren()) {
                throw DECLINED;
            }
            i++;
            readObject(node, values, false, seenFrom);
        } else if (c == '[') {
            i++;
            enter();
            skipWhitespace();
            if (peek() == ']') {
                i++;
            } else {
                while (true) {
                    readValue(node, values, seenFrom);
                    skipWhitespace();
                    byte n = next();
                    if (n == ']') {
                        break;
                    }
                    if (n != ',') {
                        throw DECLINED;
                    }
                    skipWhitespace();
                }
            }
            depth--;
        } else if (c == 'n') {
            literal(NULL);
        } else if (node != null) {
            throw DECLINED; // a number or a boolean where the rule reads a string
        } else if (c == 't') {
            literal(TRUE);
        } else if (c == 'f') {
            literal(FALSE);
        } else {
            number();
        }
    }

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    /** The offset of the closing quote of the string whose content starts at {@link #i}; sets {@link #escaped}. */
    private int stringEnd() {
        byte[] bytes = b;
        int e = end;
        int j = i;
        escaped = false;
        while (true) {
            // Eight bytes at a time while none of them is special (SWAR), then byte by byte.
            while (j + 8 <= e) {
                long special = special((long) LONGS.get(bytes, j));
                if (special != 0) {
                    j += Long.numberOfTrailingZeros(special) >>> 3;
                    break;
                }
                j += 8;
            }
            while (j < e && IN_STRING[bytes[j] & 0xff] == PLAIN) {
                j++;
            }
            if (j >= e) {
                throw DECLINED;
            }
            byte kind = IN_STRING[bytes[j] & 0xff];
            if (kind == QUOTE) {
                return j;
            }
            if (kind != BACKSLASH || j + 1 >= e) {
                throw DECLINED;
            }
            escaped = true;
            switch (bytes[j + 1]) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                    j += 2;
                    break;
                case 'u':
                    if (j + 6 > e || !hex(bytes[j + 2]) || !hex(bytes[j + 3]) || !hex(bytes[j + 4]) || !hex(bytes[j + 5])) {
                        throw DECLINED;
                    }
                    j += 6;
                    break;
                default:
                    throw DECLINED;
            }
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The high bit of every byte of {@code v} (little-endian: the first byte lowest) that is a
     * quote, a backslash, a control character or not ASCII. Bits above the lowest one may be
     * false alarms (a borrow carries into the next byte); the lowest one is always exact.
     */
    private static long special(long v) {
        long quote = v ^ (ONES * '"');
        long backslash = v ^ (ONES * '\\');
        return ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (v - ONES * 0x20) & ~v | v) & HIGH_BITS;
    }

    private static boolean hex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** A JSON number: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}, then a separator. */
    private void number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        byte c = peek();
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw DECLINED;
        }
        if (i < end && b[i] == '.') {
            i++;
            digits();
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            digits();
        }
        if (i - start > MAX_NUMBER_BYTES) {
            throw DECLINED;
        }
        separator();
    }

    /** One or more digits. */
    private void digits() {
        if (i >= end || b[i] < '0' || b[i] > '9') {
            throw DECLINED;
        }
        do {
            i++;
        } while (i < end && b[i] >= '0' && b[i] <= '9');
    }

    private void literal(byte[] word) {
        if (end - i < word.length || !Arrays.equals(b, i, i + word.length, word, 0, word.length)) {
            throw DECLINED;
        }
        i += word.length;
        separator();
    }

    /** A scalar must end where a separator starts, as it must for Jackson ({@code truex}, {@code 01} are errors). */
    private void separator() {
        if (i < end) {
            byte c = b[i];
            if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                throw DECLINED;
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw DECLINED;
        }
    }

    /**
     * Every byte that may follow whitespace in valid JSON is above the space, and JSON's four
     * whitespace bytes are at or below it: one comparison settles the usual case (no whitespace).
     */
    private void skipWhitespace() {
        while (i < end) {
            byte c = b[i];
            if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
                return;
            }
            i++;
        }
    }

    private byte peek() {
        if (i >= end) {
            throw DECLINED;
        }
        return b[i];
    }

    private byte next() {
        if (i >= end) {
            throw DECLINED;
        }
        return b[i++];
    }

    private void expect(char c) {
        if (next() != c) {
            throw DECLINED;
        }
    }

    private boolean equals(int from, int to, byte[] word) {
        return to - from == word.length && Arrays.equals(b, from, to, word, 0, word.length);
    }

    private boolean contains(int from, int to, byte c) {
        for (int k = from; k < to; k++) {
            if (b[k] == c) {
                return true;
            }
        }
        return false;
    }
}
