package io.secretrecon.io;

import java.io.IOException;
import java.io.InputStream;
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
            while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
                chunkPos++;
            }
            append(start, chunkPos - start);
            if (chunkPos < chunkLen) {
                chunkPos++; // the newline
                break;
            }
        }
        lineNumber++;
        if (!overflowed && lineLen > 0 && line[lineLen - 1] == '\r') {
            lineLen--;
        }
        return true;
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

    byte[] bytes() {
        return line;
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
        for (int i = 0; i < lineLen; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
