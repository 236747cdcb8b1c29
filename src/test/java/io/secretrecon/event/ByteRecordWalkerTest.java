package io.secretrecon.event;

import io.secretrecon.testutil.TestSeeds;
import io.secretrecon.tools.WorkloadGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parser's fast path ({@link ByteRecordWalker}) against the Jackson walk it stands in for:
 * on every record, the parser with the fast path gives exactly what it gives without it (events,
 * dead letters and their wording), and the fast path takes the plain records it is for.
 */
class ByteRecordWalkerTest {

    private static final int MAX_RECORD_BYTES = 256 * 1024;
    private static final RecordOrigin ORIGIN = RecordOrigin.kafka("k8s-audit", 0, 42L);
    private static final Long KAFKA_TIMESTAMP = 1_700_000_000_000L;

    private final AuditRecordParser fast = new AuditRecordParser(MAX_RECORD_BYTES, true);
    private final AuditRecordParser jackson = new AuditRecordParser(MAX_RECORD_BYTES, false);

    @Test
    void theBundledSampleParsesAlikeAndTakesTheFastPath() throws IOException {
        List<byte[]> records = sampleRecords();
        int taken = 0;
        for (byte[] r : records) {
            assertSameParse(r);
            taken += takesFastPath(r) ? 1 : 0;
        }
        assertThat(records).hasSizeGreaterThan(4000);
        // The sample is Elastic's ECS documents, all plain ASCII: nearly all of them.
        assertThat(taken).as("records on the fast path").isGreaterThan(records.size() * 9 / 10);
    }

    @Test
    void generatedEventsInEveryShapeParseAlike() {
        Random random = new Random(7);
        for (int n = 0; n < 600; n++) {
            WorkloadGenerator.Event e = event(random, n);
            // Escapes and UTF-8 text where the rule reads (a name, a user agent) go to Jackson; all else is plain.
            boolean plain = plain(e.name) && plain(e.userAgent);
            for (String text : List.of(WorkloadGenerator.raw(e), WorkloadGenerator.ecs(e, 2_000, 0),
                    WorkloadGenerator.ecs(e, 2_000, 1), WorkloadGenerator.ecs(e, 2_000, 2))) {
                byte[] r = text.getBytes(StandardCharsets.UTF_8);
                assertSameParse(r);
                assertThat(takesFastPath(r)).as("fast path for %s", text).isEqualTo(plain);
            }
        }
    }

    @Test
    void eventListsParseAlikeAndPlainOnesTakeTheFastPath() {
        Random random = new Random(11);
        for (int n = 0; n < 200; n++) {
            List<WorkloadGenerator.Event> events = new ArrayList<>();
            boolean plain = true;
            for (int k = random.nextInt(6); k > 0; k--) {
                WorkloadGenerator.Event e = event(random, n * 10 + k);
                plain &= plain(e.name) && plain(e.userAgent);
                events.add(e);
            }
            byte[] r = eventList(events).getBytes(StandardCharsets.UTF_8);
            assertSameParse(r);
            assertThat(takesFastPath(r)).as("fast path for %s", new String(r, StandardCharsets.UTF_8)).isEqualTo(plain);
        }
    }

    @Test
    void mutatedRecordsParseAlike() throws IOException {
        List<byte[]> seeds = sampleRecords();
        Random lists = new Random(5);
        for (int n = 0; n < 300; n++) {
            List<WorkloadGenerator.Event> events = new ArrayList<>();
            for (int k = 1 + lists.nextInt(3); k > 0; k--) {
                events.add(event(lists, n * 10 + k));
            }
            seeds.add(eventList(events).getBytes(StandardCharsets.UTF_8));
        }
        TestSeeds.scenarioSeeds(ByteRecordWalkerTest.class, 1).forEach(seed -> {
            Random random = new Random(seed);
            for (int n = 0; n < 25_000; n++) {
                byte[] r = seeds.get(random.nextInt(seeds.size()));
                int rounds = 1 + random.nextInt(3);
                for (int k = 0; k < rounds; k++) {
                    r = mutate(r, random);
                }
                assertSameParse(r);
            }
        });
    }

    @Test
    void handWrittenEdgesParseAlike() {
        String base = "{\"event\":{\"ingested\":\"2025-03-04T06:22:21.204Z\"},\"user\":{\"name\":\"alice\"},"
                + "\"kubernetes\":{\"audit\":{\"verb\":\"get\",\"objectRef\":{\"resource\":\"secrets\",\"name\":\"db\"}}}";
        List<String> edges = List.of(
                base + "}",
                base + "}   \r\n",
                " \t" + base + "}",
                base + "} {}",
                base + "}x",
                base + ",\"n\":01}",
                base + ",\"n\":-}",
                base + ",\"n\":1.}",
                base + ",\"n\":1e}",
                base + ",\"n\":-0.5E+7}",
                base + ",\"n\":truex}",
                base + ",\"n\":[true,false,null,{},[],\"\"]}",
                base + ",\"n\":\"\\u00e9\\n\\\"\"}",
                base + ",\"n\":\"\\x\"}",
                base + ",\"n\":\"\\u12\"}",
                base + ",\"n\":\"tab\there\"}",
                base + ",\"user\":{\"name\":\"bob\"}}",
                base + ",\"user.name\":\"bob\"}",
                base + ",\"source\":{\"ip\":\"10.0.0.1\"},\"source.ip\":\"10.0.0.2\"}",
                base + ",\"user_agent\":{\"original\":[\"a\",\"b\",null]}}",
                base + ",\"user_agent\":{\"original\":5}}",
                base + ",\"user_agent\":{\"original\":{\"x\":1}}}",
                base + ",\"user_agent\":\"flat\"}",
                base + ",\"user_agent\":{\"original\":\"caf\u00e9\"}}",
                base + ",\"user_agent\":{\"original\":\"esc\\u0061ped\"}}",
                base + ",\"us\\u0065r_agent\":{\"original\":\"k\"}}",
                base + ",\"items\":[]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\"}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":{}}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[{},5,{}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[{\"items\":[1]}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[],\"items\":[]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\",\"verb\":\"list\"}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\",\"items\":[{\"verb\":7}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"Event\",\"items\":[{\"verb\":\"get\"}]}",
                "{\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\"}]}",
                "{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"Event\",\"verb\":\"get\","
                        + "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"},"
                        + "\"objectRef\":{\"resource\":\"secrets\",\"name\":\"x\"},\"user\":{\"username\":\"u\"},"
                        + "\"sourceIPs\":[\"10.1.1.1\"],\"requestReceivedTimestamp\":\"2025-03-04T06:22:18.819232Z\"}",
                base.substring(0, base.length() - 3),
                "[]",
                "\ufeff" + base + "}",
                "{" + "[".repeat(300) + "]".repeat(300) + "}",
                "{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}",
                "{\"a\":" + "9".repeat(2000) + "}",
                "{}",
                "");
        for (String edge : edges) {
            assertSameParse(edge.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(takesFastPath((base + "}").getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(takesFastPath((base + ",\"n\":\"\\u00e9\"}").getBytes(StandardCharsets.UTF_8)))
                .as("an escape in a skipped string is checked, not declined").isTrue();
    }

    @Test
    void skippedValuesOfEveryKindAreCheckedWithoutDecliningTheRecord() {
        String base = "{\"event\":{\"ingested\":\"2025-03-04T06:22:21.204Z\"},\"user\":{\"name\":\"alice\"}";
        List<String> skipped = List.of(
                "{}", "[]", "{ }", "[ ]", "\"\"", "null", "true", "false", "0", "-12.5e+3",
                "{\"a\":{\"b\":[1,{\"c\":null},[true,false]],\"d\":\"x\"},\"e\":[]}",
                " [ { \"k\" : \"v\" } , [ ] , { } ] ",
                "{\"esc\\u0061ped key\":\"v\"}");
        for (String value : skipped) {
            byte[] r = (base + ",\"skipped\":" + value + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(takesFastPath(r)).as("fast path with a skipped %s", value).isTrue();
            assertSameParse(r);
        }
        for (String broken : List.of("{\"a\"}", "{\"a\":}", "[1,]", "{,}", "[1 2]", "{\"a\":1,}", "[}", "{]")) {
            byte[] r = (base + ",\"skipped\":" + broken + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(takesFastPath(r)).as("declined with a skipped %s", broken).isFalse();
            assertSameParse(r);
        }
    }

    @Test
    void aSkippedValueMayNestUpToTheDepthBound() {
        // The record's object is depth 1, so 199 arrays inside it reach the bound of 200.
        byte[] deepest = ("{\"a\":" + "[".repeat(199) + "]".repeat(199) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] deeper = ("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(takesFastPath(deepest)).isTrue();
        assertThat(takesFastPath(deeper)).isFalse();
        assertSameParse(deepest);
        assertSameParse(deeper);
    }

    @Test
    void aRecordInsideALargerBufferIsReadWithinItsBounds() {
        byte[] record = "{\"user\":{\"name\":\"alice\"},\"event\":{\"ingested\":\"2025-03-04T06:22:21.204Z\"}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[record.length + 20];
        System.arraycopy(record, 0, buffer, 7, record.length);
        buffer[7 + record.length] = '}';
        FieldValues top = new FieldValues();
        assertThat(new ByteRecordWalker().readRecord(buffer, 7, record.length, top)).isTrue();
        assertThat(top.single(AuditField.ECS_USER_NAME)).isEqualTo("alice");
        assertThat(new ByteRecordWalker().readRecord(buffer, 7, record.length - 1, new FieldValues())).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    private void assertSameParse(byte[] r) {
        List<ParsedRecord> expected = new ArrayList<>();
        List<ParsedRecord> actual = new ArrayList<>();
        jackson.parse(r, 0, r.length, ORIGIN, KAFKA_TIMESTAMP, expected::add);
        fast.parse(r, 0, r.length, ORIGIN, KAFKA_TIMESTAMP, actual::add);
        assertThat(actual).as("parse of %s", new String(r, StandardCharsets.UTF_8))
                .usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(expected);
    }

    private static boolean takesFastPath(byte[] r) {
        return new ByteRecordWalker().readRecord(r, 0, r.length, new FieldValues());
    }

    /** An EventList as the webhook backend posts it: the items are raw events. */
    private static String eventList(List<WorkloadGenerator.Event> events) {
        StringBuilder b = new StringBuilder("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[");
        for (int k = 0; k < events.size(); k++) {
            b.append(k == 0 ? "" : ",").append(WorkloadGenerator.raw(events.get(k)));
        }
        return b.append("]}").toString();
    }

    private static boolean plain(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\');
    }

    private static List<byte[]> sampleRecords() throws IOException {
        List<byte[]> records = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("samples/audit-sample.ndjson"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                records.add(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return records;
    }

    private static final String[] INSERTS = {"\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\t", "\u0001", "0", "-",
        ".", "e", "\u00e9", "\\u00", "\\u0041", "nul", "tru", "\r", ".", "\"verb\":\"get\",", "\"user\":{\"name\":\"x\"},"};

    private static byte[] mutate(byte[] r, Random random) {
        String s = new String(r, StandardCharsets.UTF_8);
        if (s.isEmpty()) {
            return INSERTS[random.nextInt(INSERTS.length)].getBytes(StandardCharsets.UTF_8);
        }
        int at = random.nextInt(s.length());
        switch (random.nextInt(6)) {
            case 0: // delete a character
                s = s.substring(0, at) + s.substring(at + 1);
                break;
            case 1: // insert a token
                s = s.substring(0, at) + INSERTS[random.nextInt(INSERTS.length)] + s.substring(at);
                break;
            case 2: // truncate
                s = s.substring(0, at);
                break;
            case 3: { // copy a span elsewhere (repeated keys, nested duplicates)
                int from = random.nextInt(s.length());
                int to = Math.min(s.length(), from + 1 + random.nextInt(60));
                s = s.substring(0, at) + s.substring(from, to) + s.substring(at);
                break;
            }
            case 4: { // a read value's character as an escape
                int q = s.indexOf(":\"", at);
                if (q >= 0 && q + 2 < s.length() && Character.isLetterOrDigit(s.charAt(q + 2))) {
                    s = s.substring(0, q + 2) + String.format("\\u%04x", (int) s.charAt(q + 2)) + s.substring(q + 3);
                }
                break;
            }
            default: { // swap a character for another printable one
                char c = (char) (0x20 + random.nextInt(0x5f));
                s = s.substring(0, at) + c + s.substring(at + 1);
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static WorkloadGenerator.Event event(Random random, int n) {
        String[] names = {"db", "tls-cert", "na\"me", "caf\u00e9", "back\\slash", "line\nbreak", "x".repeat(300)};
        WorkloadGenerator.Event e = new WorkloadGenerator.Event();
        e.received = 1_700_000_000_000L + n * 1_000L;
        e.verb = random.nextInt(4) == 0 ? "list" : "get";
        e.user = "system:serviceaccount:ns:sa-" + random.nextInt(5);
        e.sourceIps = random.nextBoolean() ? List.of("10.0.0." + random.nextInt(9)) : List.of("10.0.0.1", "::1");
        e.userAgent = random.nextInt(5) == 0 ? "kubectl/v1.31 \u2603" : "kubectl/v1.31.0 (linux/amd64)";
        e.resource = random.nextInt(3) == 0 ? "configmaps" : "secrets";
        e.namespace = "ns-" + random.nextInt(3);
        e.name = names[random.nextInt(names.length)];
        e.auditId = "id-" + n;
        return e;
    }
}
