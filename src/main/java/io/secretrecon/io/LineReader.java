package io.secretrecon.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads newline-delimited records as bytes without decoding them, with a bound on memory: a line
 * longer than the limit is consumed to its end but only its first {@code keepBytes} are kept
 * ({@link #overflowed()}), so a 2 GB line cannot exhaust the heap.
 */
final class LineReader {

    private final InputStream in;
    private final int limit;
    private final int keepBytes;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[4096];
    /** The current line: {@code lineBytes[lineOffset, lineOffset + lineLen)}, in the chunk itself or in {@link #line}. */
    private byte[] lineBytes = line;
    private int lineOffset;
    private int lineLen;
    private long fullLength;
    private boolean overflowed;
    private long lineNumber;

    LineReader(InputStream in, int limit, int keepBytes) {
        this.in = in;
        this.limit = limit;
        this.keepBytes = keepBytes;
    }

    /** Advances to the next line; false at the end of input. */
    boolean next() throws IOException {
        lineLen = 0;
        fullLength = 0;
        overflowed = false;
        // The common case: the whole line lies in the chunk, and is handed out where it lies.
        int newline = indexOfNewline(chunk, chunkPos, chunkLen);
        if (newline >= 0 && newline - chunkPos <= limit) {
            lineBytes = chunk;
            lineOffset = chunkPos;
            lineLen = newline - chunkPos;
            fullLength = lineLen;
            chunkPos = newline + 1;
            return endOfLine();
        }
        lineOffset = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                chunkLen = in.read(chunk, 0, chunk.length);
                chunkPos = 0;
                if (chunkLen <= 0) {
                    chunkLen = 0;
                    if (!any) {
                        return false;
                    }
                    break;
                }
            }
            any = true;
            int start = chunkPos;
            int found = indexOfNewline(chunk, chunkPos, chunkLen);
            chunkPos = found < 0 ? chunkLen : found;
            append(start, chunkPos - start);
            if (chunkPos < chunkLen) {
                chunkPos++; // the newline
                break;
            }
        }
        lineBytes = line; // after append, which may have grown it
        return endOfLine();
    }

    private boolean endOfLine() {
        lineNumber++;
        if (!overflowed && lineLen > 0 && lineBytes[lineOffset + lineLen - 1] == '\r') {
            lineLen--;
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long NEWLINES = ONES * '\n';

    /** The offset of the first {@code '\n'} in {@code b[from, to)}, or -1; eight bytes at a time (SWAR). */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            // The lowest flagged byte is exact (only bytes above a zero byte can be false alarms).
            long zero = (x - ONES) & ~x & (ONES << 7);
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(int from, int n) {
        fullLength += n;
        if (overflowed) {
            return;
        }
        if (lineLen + n > limit) {
            overflowed = true;
            n = Math.min(n, Math.max(0, keepBytes - lineLen));
            if (lineLen > keepBytes) {
                lineLen = keepBytes;
            }
        }
        if (lineLen + n > line.length) {
            line = Arrays.copyOf(line, Math.max(lineLen + n, line.length * 2));
        }
        System.arraycopy(chunk, from, line, lineLen, n);
        lineLen += n;
    }

    /** The current line's bytes from {@link #offset()}: valid until the next call of {@link #next()}. */
    byte[] bytes() {
        return lineBytes;
    }

    int offset() {
        return lineOffset;
    }

    int length() {
        return lineLen;
    }

    /** Length of the whole line in bytes, also when it overflowed. */
    long fullLength() {
        return fullLength;
    }

    boolean overflowed() {
        return overflowed;
    }

    /** 1-based number of the current line. */
    long lineNumber() {
        return lineNumber;
    }

    boolean isBlank() {
        for (int i = lineOffset; i < lineOffset + lineLen; i++) {
            byte b = lineBytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
