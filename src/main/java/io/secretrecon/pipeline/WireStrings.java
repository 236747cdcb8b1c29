package io.secretrecon.pipeline;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The string form of {@link SecretGetWire}: exact for every Java string, null included, and cheap
 * for the ASCII strings that audit fields nearly always are.
 *
 * <p>A header (an unsigned varint) says what follows: {@code 0} null; {@code 2n + 1} an ASCII string
 * of {@code n} characters as {@code n} bytes, copied in one block; {@code 2n + 2} any other string of
 * {@code n} UTF-16 code units, two bytes each (lone surrogates survive, where a UTF-8 round trip
 * would replace them). Flink's {@code StringValue} writes and reads every character through the
 * view one by one, and looks up a thread-local buffer for every string it reads; on this job's
 * keyed edge that was a large part of the detector stage's time.
 *
 * <p>Not thread-safe: it keeps a scratch buffer, so each serializer instance has its own
 * ({@code TypeSerializer#duplicate}).
 */
final class WireStrings {

    private byte[] scratch = new byte[256];

    void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        int n = s.length();
        byte[] buf = scratch.length >= n ? scratch : grow(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                writeVarint(2L * n + 2, out);
                for (int k = 0; k < n; k++) {
                    out.writeChar(s.charAt(k));
                }
                return;
            }
            buf[i] = (byte) c;
        }
        writeVarint(2L * n + 1, out);
        out.write(buf, 0, n);
    }

    String read(DataInputView in) throws IOException {
        long header = readVarint(in);
        if (header == 0) {
            return null;
        }
        int n = length(header);
        if ((header & 1) == 1) {
            byte[] buf = scratch.length >= n ? scratch : grow(n);
            in.readFully(buf, 0, n);
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[n];
        for (int k = 0; k < n; k++) {
            chars[k] = in.readChar();
        }
        return new String(chars);
    }

    /** Copies one string from {@code in} to {@code out} without decoding it. */
    void copy(DataInputView in, DataOutputView out) throws IOException {
        long header = readVarint(in);
        writeVarint(header, out);
        if (header == 0) {
            return;
        }
        int n = length(header);
        int bytes = (header & 1) == 1 ? n : 2 * n;
        byte[] buf = scratch.length >= bytes ? scratch : grow(bytes);
        in.readFully(buf, 0, bytes);
        out.write(buf, 0, bytes);
    }

    private static int length(long header) throws IOException {
        long n = (header - 1) >>> 1;
        if (n > Integer.MAX_VALUE - 16) {
            throw new IOException("corrupt string header " + header);
        }
        return (int) n;
    }

    private byte[] grow(int n) {
        scratch = Arrays.copyOf(scratch, Math.max(n, scratch.length * 2));
        return scratch;
    }

    static void writeVarint(long v, DataOutputView out) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarint(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt varint");
    }
}
