package io.secretrecon.io;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.event.AuditRecordParser;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file reader, batch by batch, gives what a split of the file into lines gives, each line
 * parsed on its own: the same events and dead letters, with the same line numbers, in the same
 * order, across its batches and its 64 KiB buffer; and no run of lines without records ends a file.
 */
class AuditFileFormatTest {

    private static final String SAMPLE = "samples/audit-sample.ndjson";

    @TempDir
    java.nio.file.Path dir;

    @Test
    void theReaderGivesWhatEachLineParsedOnItsOwnGives() throws IOException {
        byte[] input = mixedInput(new Random(11));
        for (long max : new long[] {16L << 20, 1_500}) {
            List<ParsedRecord> read = read(input, max);
            List<ParsedRecord> expected = lineByLine(input, max, AuditFiles.sourceName(path()));
            assertThat(rendered(read)).as("max %d", max).containsExactlyElementsOf(rendered(expected));
            assertThat(expected.stream().filter(r -> r.event != null).count()).as("events").isGreaterThan(4_000);
            assertThat(expected.stream().filter(r -> r.deadLetter != null).count()).as("dead letters").isGreaterThan(100);
        }
    }

    @Test
    void longRunsOfLinesWithoutRecordsDoNotEndTheFile() throws IOException {
        String record = firstSampleRecord();
        String emptyList = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[]}\n";
        String text = record + "\n" + "\n".repeat(1_500) + " \t\r\n".repeat(700) + emptyList.repeat(1_200) + record + "\n";
        byte[] input = text.getBytes(StandardCharsets.UTF_8);

        List<ParsedRecord> read = read(input, 16L << 20);

        assertThat(read).hasSize(2);
        assertThat(read.get(1).event).isNotNull();
        assertThat(read.get(1).event.origin.offset).isEqualTo(1 + 1_500 + 700 + 1_200 + 1);
    }

    /** Every field of every record, as JSON: what the comparison sees. */
    private static List<String> rendered(List<ParsedRecord> records) throws IOException {
        ObjectMapper json = new ObjectMapper().setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
        List<String> out = new ArrayList<>(records.size());
        for (ParsedRecord r : records) {
            out.add(json.writeValueAsString(r));
        }
        return out;
    }

    /** Reads the input as the job does: one split, batch by batch. */
    private List<ParsedRecord> read(byte[] input, long max) throws IOException {
        Files.write(path(), input);
        return AuditFiles.read(path(), max);
    }

    /**
     * The reference, without the job's line reader: the input split at every newline (a last
     * line without one included), one {@code '\r'} cut from a line within the limit, blank lines
     * skipped, a line over the limit too large (its bytes kept whole: the limits here are far
     * below the 64 KiB kept), every other line parsed on its own.
     */
    private static List<ParsedRecord> lineByLine(byte[] input, long max, String file) {
        AuditRecordParser parser = new AuditRecordParser(max);
        List<ParsedRecord> out = new ArrayList<>();
        long number = 0;
        for (int from = 0; from < input.length; ) {
            int newline = from;
            while (newline < input.length && input[newline] != '\n') {
                newline++;
            }
            number++;
            int length = newline - from;
            boolean tooLarge = length > max;
            if (!tooLarge && length > 0 && input[newline - 1] == '\r') {
                length--;
            }
            RecordOrigin origin = RecordOrigin.fileLine(file, number);
            if (tooLarge && !blank(input, from, length)) {
                out.add(ParsedRecord.of(DeadLetters.tooLarge(length, max, origin, input, from, length)));
            } else if (!blank(input, from, length)) {
                parser.parse(input, from, length, origin, null, out::add);
            }
            from = newline + 1;
        }
        return out;
    }

    /** Only spaces, tabs and carriage returns (or nothing). */
    private static boolean blank(byte[] b, int from, int length) {
        for (int k = from; k < from + length; k++) {
            if (b[k] != ' ' && b[k] != '\t' && b[k] != '\r') {
                return false;
            }
        }
        return true;
    }

    private java.nio.file.Path path() {
        return dir.resolve("audit.ndjson");
    }

    /**
     * The sample's records, each also mutated at random, with CRLF endings, blank and
     * whitespace lines, newlines inside records and between their tokens, EventLists, and a last
     * line without a newline: enough bytes that many lines straddle the reader's 64 KiB buffer.
     */
    private static byte[] mixedInput(Random random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> records = Files.readAllLines(java.nio.file.Path.of(SAMPLE), StandardCharsets.UTF_8);
        for (String record : records) {
            if (record.isBlank()) {
                continue;
            }
            line(out, record, random);
            if (random.nextInt(3) == 0) {
                line(out, mutate(record, random), random);
            }
            switch (random.nextInt(40)) {
                case 0: line(out, "", random); break;
                case 1: line(out, "  \t ", random); break;
                case 2: line(out, "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[]}", random); break;
                case 3: line(out, "  " + record + " \t", random); break;
                default: break;
            }
        }
        out.write(records.get(0).getBytes(StandardCharsets.UTF_8)); // no newline after the last line
        return out.toByteArray();
    }

    private static void line(ByteArrayOutputStream out, String text, Random random) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        if (random.nextInt(8) == 0) {
            out.write('\r');
        }
        out.write('\n');
    }

    private static final String[] INSERTS = {"\n", "\r", "\r\n", " \n ", "\"", "}", ",", "\u00e9", "\\n", "\t", "\u0001"};

    private static String mutate(String s, Random random) {
        int at = random.nextInt(s.length());
        switch (random.nextInt(4)) {
            case 0: return s.substring(0, at) + INSERTS[random.nextInt(INSERTS.length)] + s.substring(at);
            case 1: return s.substring(0, at);
            case 2: { // a newline between two tokens: after a comma or a colon
                int c = s.indexOf(random.nextBoolean() ? "\"," : "\":", at);
                return c < 0 ? s + "\n" : s.substring(0, c + 2) + "\n" + s.substring(c + 2);
            }
            default: return s.substring(0, at) + s.substring(Math.min(s.length(), at + 1));
        }
    }

    private static String firstSampleRecord() throws IOException {
        return Files.readAllLines(java.nio.file.Path.of(SAMPLE), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).findFirst().orElseThrow();
    }
}
