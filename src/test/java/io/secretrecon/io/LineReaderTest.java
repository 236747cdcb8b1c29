package io.secretrecon.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LineReaderTest {

    @Test
    void theNewlineSearchFindsTheFirstNewlineAtEveryPositionAndAlignment() {
        for (int len = 0; len < 40; len++) {
            for (int at = -1; at < len; at++) {
                byte[] b = new byte[len + 3];
                Arrays.fill(b, (byte) 'x');
                if (at >= 0) {
                    b[at + 1] = '\n';
                    if (at + 2 < b.length - 1) {
                        b[at + 2] = '\n'; // a second one just after must not win
                    }
                }
                b[0] = '\n'; // outside the searched range
                b[b.length - 1] = '\n';
                assertThat(LineReader.indexOfNewline(b, 1, len + 1)).as("len %d at %d", len, at)
                        .isEqualTo(at < 0 ? -1 : at + 1);
            }
        }
        byte[] highBytes = new byte[32];
        Arrays.fill(highBytes, (byte) 0x8b); // 0x8b ^ 0x0a = 0x81: no false alarm from high bytes
        highBytes[20] = '\n';
        assertThat(LineReader.indexOfNewline(highBytes, 0, 32)).isEqualTo(20);
    }

    @Test
    void linesReadInAnyChunkingEqualASplitOfTheInput() throws IOException {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int lines = random.nextInt(30);
            for (int l = 0; l < lines; l++) {
                int len = random.nextInt(10) == 0 ? 70_000 + random.nextInt(70_000) : random.nextInt(200);
                for (int c = 0; c < len; c++) {
                    text.append((char) ('a' + random.nextInt(26)));
                }
                text.append(random.nextInt(5) == 0 ? "\r\n" : "\n");
            }
            if (random.nextBoolean()) {
                text.append("last line without newline");
            }
            byte[] input = text.toString().getBytes(StandardCharsets.US_ASCII);
            int limit = 100_000;
            int keep = 1_000;
            List<String> expected = new ArrayList<>();
            List<Long> expectedLengths = new ArrayList<>();
            String s = text.toString();
            if (!s.isEmpty()) {
                String[] parts = s.split("\n", -1);
                int count = s.endsWith("\n") ? parts.length - 1 : parts.length;
                for (int i = 0; i < count; i++) {
                    String p = parts[i];
                    expectedLengths.add((long) p.length());
                    if (p.length() > limit) {
                        expected.add(p.substring(0, keep));
                    } else {
                        expected.add(p.endsWith("\r") ? p.substring(0, p.length() - 1) : p);
                    }
                }
            }
            LineReader reader = new LineReader(new Trickle(input, random), limit, keep);
            List<String> actual = new ArrayList<>();
            List<Long> lengths = new ArrayList<>();
            while (reader.next()) {
                actual.add(new String(reader.bytes(), reader.offset(), reader.length(), StandardCharsets.US_ASCII));
                lengths.add(reader.fullLength());
                assertThat(reader.overflowed()).isEqualTo(reader.fullLength() > limit);
                assertThat(reader.lineNumber()).isEqualTo(actual.size());
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(lengths).isEqualTo(expectedLengths);
        }
    }

    /** Hands the input out in reads of random sizes, as a file or a network stream may. */
    private static final class Trickle extends FilterInputStream {
        private final Random random;

        Trickle(byte[] input, Random random) {
            super(new ByteArrayInputStream(input));
            this.random = random;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 16 : 70_000)));
        }
    }

}
