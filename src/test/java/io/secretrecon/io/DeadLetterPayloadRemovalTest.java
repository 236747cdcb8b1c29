package io.secretrecon.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of adversarial records, each holding a known secret marker in a payload
 * ({@code requestObject}, {@code responseObject}, a webhook patch annotation), fed through both
 * real entry points (the Kafka deserializer and the file reader) to the dead-letter JSON that
 * would leave the job. The marker must never be in it: not literally, not escaped, not spread
 * over NULs, not in any letter case, not in the detail. And harmless records must still be kept
 * intact, so the test fails if sanitizing keeps too much and if it keeps too little.
 */
class DeadLetterPayloadRemovalTest {

    private static final String MARKER = "S3CRET-ESCAPED";
    /** The part of the marker a parser message quotes of an unquoted token ({@code S3CRET-...}). */
    private static final String MARKER_TOKEN = "S3CRET";
    private static final String PAYLOAD = "{\"data\":{\"password\":\"" + MARKER + "\"}}";
    private static final String PATCH = "{\"configuration\":\"inject\",\"webhook\":\"inject.example.com\",\"patch\":"
            + "[{\"op\":\"add\",\"path\":\"/data/password\",\"value\":\"" + MARKER + "\"}],\"patchType\":\"JSONPatch\"}";
    private static final String PATCH_BASE64 = Base64.getEncoder().encodeToString(PATCH.getBytes(StandardCharsets.UTF_8));

    private static final long LARGE_LIMIT = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");
    private static final Charset UTF_32BE = Charset.forName("UTF-32BE");

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- the corpus

    static Stream<Arguments> secretBearing() {
        List<Arguments> cases = new ArrayList<>();
        // The record: an escaped letter hides the key from a literal search.
        add(cases, "issue example", utf8("{\"request\\u004fbject\":{\"data\":{\"password\":\"" + MARKER + "\"}}} trailing"));

        // Every letter of both keys escaped, one at a time (lower- and upper-case hex), and all of them.
        for (String key : new String[] {"requestObject", "responseObject"}) {
            for (int i = 0; i < key.length(); i++) {
                String hex = String.format(i % 2 == 0 ? "%04x" : "%04X", (int) key.charAt(i));
                String escaped = key.substring(0, i) + "\\u" + hex + key.substring(i + 1);
                add(cases, key + " letter " + i + " escaped, invalid JSON", utf8(invalid(escaped)));
                add(cases, key + " letter " + i + " escaped, valid JSON", utf8(badIp(escaped)));
            }
            StringBuilder all = new StringBuilder();
            key.chars().forEach(c -> all.append(String.format("\\u%04x", c)));
            add(cases, key + " wholly escaped, invalid JSON", utf8(invalid(all.toString())));
            add(cases, key + " wholly escaped, valid JSON", utf8(badIp(all.toString())));
        }
        add(cases, "escape a YAML or JavaScript reader resolves", utf8(invalid("request\\x4fbject")));
        add(cases, "escape cut short", utf8(invalid("request\\u04") + "\"}"));

        // Letter case: Kubernetes is case-sensitive, case-insensitive readers are not.
        for (String key : new String[] {"RequestObject", "REQUESTOBJECT", "rEqUeStObJeCt", "ResponseObject", "RESPONSEOBJECT",
            "reque\u017ftObject", "re\u017fponseObject"}) {
            add(cases, key + ", invalid JSON", utf8(invalid(key)));
            add(cases, key + ", valid JSON", utf8(badIp(key)));
        }

        // Other encodings, with and without byte order marks, of a valid and an invalid record.
        String valid = badIp("requestObject");
        String broken = invalid("requestObject");
        for (String[] r : new String[][] {{"valid", valid}, {"invalid", broken}}) {
            add(cases, "UTF-16LE " + r[0], r[1].getBytes(StandardCharsets.UTF_16LE));
            add(cases, "UTF-16BE " + r[0], r[1].getBytes(StandardCharsets.UTF_16BE));
            add(cases, "UTF-16LE with BOM " + r[0], concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, r[1].getBytes(StandardCharsets.UTF_16LE)));
            add(cases, "UTF-16BE with BOM " + r[0], r[1].getBytes(StandardCharsets.UTF_16));
            add(cases, "UTF-32LE " + r[0], r[1].getBytes(UTF_32LE));
            add(cases, "UTF-32BE " + r[0], r[1].getBytes(UTF_32BE));
            add(cases, "UTF-8 with BOM " + r[0], concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(r[1])));
        }
        add(cases, "UTF-16LE, payload key escaped", utf8ToUtf16(invalid("request\\u004fbject")));
        add(cases, "invalid UTF-8 before the payload", patched(invalid("requestObject"), "\"verb\":\"get\"", "\"verb\":\"g\u00ff\""));
        add(cases, "overlong O in the key (Jackson reads it as O)", overlong(badIp("requestXbject"), 'X'));
        add(cases, "overlong O in the key, invalid JSON", overlong(invalid("requestXbject"), 'X'));
        add(cases, "CESU surrogate before the payload",
                concat(utf8("{\"verb\":\"get\",\"x\":\""), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        utf8("\",\"requestObject\":" + PAYLOAD + "} trailing")));

        add(cases, "key holding a literal escape (decoded twice)", utf8(badIp("request\\\\u004fbject")));
        add(cases, "EventList, escaped key in a good item, bad IP in another", utf8("{\"kind\":\"EventList\","
                + "\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[" + rawEvent("\"sourceIPs\":[\"not-an-ip\"],")
                        .replace("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",", "{")
                + "," + rawEvent("\"sourceIPs\":[\"10.0.0.1\"],\"request\\u004fbject\":" + PAYLOAD + ",")
                        .replace("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",", "{") + "]}"));

        // Nested and truncated payloads.
        add(cases, "payload deep in arrays and objects", utf8(rawEvent("\"sourceIPs\":[\"not-an-ip\"],"
                + "\"a\":[{\"b\":{\"c\":[[{\"responseObject\":" + PAYLOAD + "}]]}}],")));
        add(cases, "record cut inside the payload", utf8(rawEvent("\"requestObject\":" + PAYLOAD.substring(0, PAYLOAD.length() - 3))));
        add(cases, "record cut inside the payload, escaped key",
                utf8(rawEvent("\"request\\u004Fbject\":" + PAYLOAD.substring(0, PAYLOAD.length() - 3))));
        add(cases, "payload value unquoted (the parser's message would quote it)",
                utf8(rawEvent("\"requestObject\":{\"data\":{\"password\":" + MARKER + "}},")));
        add(cases, "payload value unquoted, escaped key",
                utf8(rawEvent("\"request\\u004fbject\":{\"data\":{\"password\":" + MARKER + "}},")));
        add(cases, "payload value unquoted, mixed-case key",
                utf8(rawEvent("\"RequestObject\":{\"data\":{\"password\":" + MARKER + "}},")));
        add(cases, "payload value unquoted, UTF-16",
                rawEvent("\"requestObject\":{\"data\":{\"password\":" + MARKER + "}},").getBytes(StandardCharsets.UTF_16LE));
        add(cases, "payload value in a token that runs into the key", utf8("{\"verb\":gettrequestObject" + MARKER + "}"));
        add(cases, "NULs between the letters of a token", utf8("{\"verb\":gett\u0000" + String.join("\u0000", MARKER.split("")) + "}"));

        // Payload keys as (segments of) dotted ECS keys, in valid and invalid ECS documents.
        for (String member : new String[] {
            "\"kubernetes.audit.requestObject.data\":{\"password\":\"" + MARKER + "\"}",
            "\"kubernetes.audit.requestObject.data.password\":\"" + MARKER + "\"",
            "\"kubernetes\":{\"audit.RequestObject\":" + PAYLOAD + "}",
            "\"kubernetes.audit\":{\"responseObject.data\":{\"password\":\"" + MARKER + "\"}}",
            "\"kubernetes.audit.request\\u004fbject\":" + PAYLOAD}) {
            add(cases, "ECS " + member.substring(0, 30) + ", valid JSON", utf8(ecsWithoutTime(member)));
            add(cases, "ECS " + member.substring(0, 30) + ", invalid JSON", utf8(ecsWithoutTime(member) + " trailing"));
        }

        // A raw event quoted in a string value (event.original), once or twice, escaped within.
        String rawWithPayload = rawEvent("\"requestObject\":" + PAYLOAD + ",");
        add(cases, "raw event in event.original", utf8(ecsWithoutTime("\"event.original\":" + quote(rawWithPayload))));
        add(cases, "raw event in event.original, invalid JSON",
                utf8(ecsWithoutTime("\"event.original\":" + quote(rawWithPayload)) + " trailing"));
        String escapedInside = rawEvent("\"request\\u004fbject\":" + PAYLOAD + ",");
        add(cases, "raw event in event.original, key escaped inside", utf8(ecsWithoutTime("\"event.original\":" + quote(escapedInside))));
        add(cases, "raw event in event.original, key escaped inside, invalid JSON",
                utf8(ecsWithoutTime("\"event.original\":" + quote(escapedInside)) + " trailing"));
        String ecsWithOriginal = ecsWithoutTime("\"event.original\":" + quote(escapedInside));
        add(cases, "ECS document quoted in event.original of another", utf8(ecsWithoutTime("\"event.original\":" + quote(ecsWithOriginal))));
        add(cases, "ECS document quoted in event.original of another, invalid JSON",
                utf8(ecsWithoutTime("\"event.original\":" + quote(ecsWithOriginal)) + " trailing"));
        add(cases, "raw event in event.original, RESPONSEOBJECT inside",
                utf8(ecsWithoutTime("\"event.original\":" + quote(rawEvent("\"RESPONSEOBJECT\":" + PAYLOAD + ",")))));

        // Mutating-webhook patch annotations: raw (nested), ECS nested and dotted, expanded, any case, base64.
        String patchValue = quote(PATCH);
        Map<String, String> patches = new LinkedHashMap<>();
        patches.put("raw annotation", "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\","
                + "\"patch.webhook.admission.k8s.io/round_0_index_0\":" + patchValue + "}");
        patches.put("raw annotation, base64 patch", "\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_1\":"
                + quote(PATCH_BASE64) + "}");
        patches.put("raw annotation, patch as an object", "\"annotations\":{\"patch.webhook.admission.k8s.io/round_1_index_0\":"
                + PATCH + "}");
        patches.put("annotation expanded into objects", "\"annotations\":{\"patch\":{\"webhook\":{\"admission\":{\"k8s\":"
                + "{\"io/round_0_index_0\":" + patchValue + "}}}}}");
        patches.put("annotation, mixed case", "\"annotations\":{\"Patch.Webhook.Admission.K8S.IO/round_0_index_0\":" + patchValue + "}");
        patches.put("annotation, escaped", "\"annotations\":{\"patch.webhook.admission.k8s.io\\/round_0_index_0\":" + patchValue + "}");
        patches.put("ECS nested annotation", "\"kubernetes\":{\"audit\":{\"annotations\":{"
                + "\"patch_webhook_admission_k8s_io/round_0_index_0\":" + patchValue + "}}}");
        patches.put("ECS dotted annotation",
                "\"kubernetes.audit.annotations.patch_webhook_admission_k8s_io/round_1_index_2\":" + patchValue);
        patches.put("ECS dotted annotation, base64 patch",
                "\"kubernetes.audit.annotations.patch_webhook_admission_k8s_io/round_0_index_0\":" + quote(PATCH_BASE64));
        patches.put("ECS annotation split over objects", "\"kubernetes.audit\":{\"annotations.patch_webhook_admission_k8s_io/round_0_index_0\":"
                + patchValue + "}");
        for (Map.Entry<String, String> p : patches.entrySet()) {
            add(cases, p.getKey() + ", valid JSON", utf8(rawEvent("\"sourceIPs\":[\"not-an-ip\"]," + p.getValue() + ",")));
            add(cases, p.getKey() + ", invalid JSON", utf8(rawEvent(p.getValue() + ",") + " trailing"));
        }
        add(cases, "patch annotation in event.original", utf8(ecsWithoutTime("\"event.original\":"
                + quote(rawEvent("\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_0\":" + patchValue + "},")))));
        add(cases, "patch annotation value unquoted", utf8(rawEvent(
                "\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_0\":" + MARKER + "},")));
        return cases.stream();
    }

    /** Records longer than the limit, with a payload near their head. */
    static Stream<Arguments> tooLarge() {
        List<Arguments> cases = new ArrayList<>();
        String pad = "\"pad\":\"" + "x".repeat(8 * 1024) + "\"}";
        add(cases, "payload near the head", utf8(rawEvent("\"requestObject\":" + PAYLOAD + ",") .replace("}", "") + "," + pad));
        add(cases, "escaped payload key near the head", utf8("{\"kind\":\"Event\",\"request\\u004fbject\":" + PAYLOAD + "," + pad));
        add(cases, "mixed-case payload key near the head", utf8("{\"kind\":\"Event\",\"ResponseObject\":" + PAYLOAD + "," + pad));
        add(cases, "patch annotation near the head", utf8("{\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_0\":"
                + quote(PATCH) + "}," + pad));
        add(cases, "UTF-16 payload near the head", ("{\"requestObject\":" + PAYLOAD + "," + pad).getBytes(StandardCharsets.UTF_16LE));
        String beyond = "{\"kind\":\"Event\",\"pad\":\"" + "y".repeat(DeadLetters.MAX_RECORD_BYTES - 40) + "\",\"request\\u004fbject\":"
                + PAYLOAD + "}";
        add(cases, "escaped payload key across the 64 KiB cut", utf8(beyond));
        return cases.stream();
    }

    // ---------------------------------------------------------------- the checks

    @ParameterizedTest(name = "{0}")
    @MethodSource("secretBearing")
    void aSecretInTheRecordNeverReachesTheDeadLetterThroughKafka(String name, byte[] record) throws Exception {
        List<ParsedRecord> out = fromKafka(record, LARGE_LIMIT);
        assertAllDeadLettersWithoutTheMarker(name, out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secretBearing")
    void aSecretInTheRecordNeverReachesTheDeadLetterThroughAFile(String name, byte[] record) throws Exception {
        if (contains(record, (byte) '\n')) {
            return; // not one line of a file (UTF-16/32 of some characters); the Kafka test covers it
        }
        List<ParsedRecord> out = fromFile(record, LARGE_LIMIT);
        assertAllDeadLettersWithoutTheMarker(name, out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tooLarge")
    void aTooLargeRecordKeepsNoSecretOfItsHead(String name, byte[] record) throws Exception {
        for (List<ParsedRecord> out : List.of(fromKafka(record, 4096), fromFile(record, 4096))) {
            assertThat(out).hasSize(1);
            assertThat(out.get(0).deadLetter.reason).isEqualTo("too-large");
            assertAllDeadLettersWithoutTheMarker(name, out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("harmless")
    void aHarmlessRecordIsKeptIntact(String name, String record, long limit, String expectedDetail) throws Exception {
        for (List<ParsedRecord> out : List.of(fromKafka(utf8(record), limit), fromFile(utf8(record), limit))) {
            assertThat(out).as(name).hasSize(1);
            DeadLetter d = out.get(0).deadLetter;
            assertThat(d).as(name).isNotNull();
            if (isJson(record)) {
                // Valid JSON is re-written: equal as JSON (escapes may be written differently).
                assertThat(isJson(d.record)).as("%s: %s", name, d.record).isTrue();
                assertThat(JSON.readTree(d.record)).as(name).isEqualTo(JSON.readTree(record));
            } else {
                assertThat(d.record).as(name).isEqualTo(record);
            }
            assertThat(d.truncated).as(name).isFalse();
            assertThat(d.detail).as(name).contains(expectedDetail);
        }
    }

    static Stream<Arguments> harmless() {
        String annotations = "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\","
                + "\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding \\\"admins\\\"\","
                + "\"mutation.webhook.admission.k8s.io/round_0_index_0\":"
                + quote("{\"configuration\":\"inject\",\"webhook\":\"inject.example.com\",\"mutated\":true}") + "}";
        String patchVerb = rawEvent("\"sourceIPs\":[\"not-an-ip\"],\"requestObjectSize\":12,\"myrequestObject\":\"x\","
                + annotations + ",").replace("\"verb\":\"get\"", "\"verb\":\"patch\"");
        String escapes = rawEvent("\"sourceIPs\":[\"not-an-ip\"],\"requestURI\":\"/api/v1/namespaces/caf\\u00e9/secrets\\/db\","
                + "\"userAgent\":\"kubectl \\\"quoted\\\" \\\\ tab\\there\\nline\",");
        String original = ecsWithoutTime("\"event.original\":" + quote(rawEvent(annotations + ",")));
        String tooLargeHead = "{\"kind\":\"Event\",\"verb\":\"get\",\"requestURI\":\"" + "x".repeat(5000) + "\"}";
        return Stream.of(
                Arguments.of("raw event with a bad IP", badIpWithoutPayload(), LARGE_LIMIT, "sourceIPs: not an IP address"),
                Arguments.of("payload-like keys, verb patch, mutation annotation", patchVerb, LARGE_LIMIT, "sourceIPs"),
                Arguments.of("escapes in string values", escapes, LARGE_LIMIT, "sourceIPs"),
                Arguments.of("harmless raw event in event.original", original, LARGE_LIMIT, "no event time"),
                Arguments.of("invalid JSON without payload", "{\"kind\":\"Event\",\"verb\":gett}", LARGE_LIMIT,
                        "Unrecognized token 'gett'"),
                Arguments.of("invalid JSON with the words patch and webhook",
                        "{\"verb\":\"patch\",\"userAgent\":\"webhook admission k8s.io controller\"} trailing", LARGE_LIMIT,
                        "Unrecognized token 'trailing'"),
                Arguments.of("invalid JSON with escapes", "{\"a\":\"caf\\u00e9 \\\"x\\\" \\\\ \\/ \\u0041\"} x", LARGE_LIMIT,
                        "Unrecognized token 'x'"),
                Arguments.of("too-large record kept whole under 64 KiB", tooLargeHead, 4096, "record of 5045 bytes exceeds source.max-record-size (4096 bytes)"));
    }

    private void assertAllDeadLettersWithoutTheMarker(String name, List<ParsedRecord> out) throws Exception {
        assertThat(out).as(name).anySatisfy(r -> assertThat(r.deadLetter).as(name).isNotNull());
        for (ParsedRecord r : out) {
            if (r.event != null) {
                // A good EventList item: its event holds only what the rule reads.
                assertThat(normalized(JSON.writeValueAsString(r.event))).as(name).doesNotContain(normalized(MARKER_TOKEN));
                continue;
            }
            String document = DeadLetterJson.toJson(r.deadLetter);
            JsonNode parsed = JSON.readTree(document);
            assertThat(document.toUpperCase(Locale.ROOT)).as(name).doesNotContain(MARKER).doesNotContain(PATCH_BASE64.toUpperCase(Locale.ROOT));
            for (String field : new String[] {"record", "detail"}) {
                String normalized = normalized(parsed.path(field).asText());
                assertThat(normalized).as("%s: %s %s", name, field, parsed.path(field).asText())
                        .doesNotContain(normalized(MARKER_TOKEN))
                        .doesNotContain(normalized(PATCH_BASE64));
            }
        }
    }

    // ---------------------------------------------------------------- entry points

    private static List<ParsedRecord> fromKafka(byte[] record, long limit) {
        KafkaAuditDeserializer deserializer = new KafkaAuditDeserializer(limit);
        List<ParsedRecord> out = new ArrayList<>();
        deserializer.deserialize(new ConsumerRecord<>("k8s-audit", 0, 42L, null, record), new ListCollector<>(out));
        return out;
    }

    private List<ParsedRecord> fromFile(byte[] record, long limit) throws Exception {
        Path file = Files.createTempFile(dir, "audit", ".log");
        Files.write(file, concat(record, new byte[] {'\n'}));
        return AuditFiles.read(file, limit);
    }

    // ---------------------------------------------------------------- fixtures

    /** A raw secret GET with {@code extra} members after its identity; valid JSON. */
    private static String rawEvent(String extra) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
                + "\"auditID\":\"5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"},"
                + extra
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"payments\",\"name\":\"db-credentials\"},"
                + "\"requestReceivedTimestamp\":\"2025-03-04T06:22:18.819232Z\"}";
    }

    /** Valid JSON, malformed for the rule (an IP that is not one), with a payload under {@code key}. */
    private static String badIp(String key) {
        return rawEvent("\"sourceIPs\":[\"not-an-ip\"],\"" + key + "\":" + PAYLOAD + ",");
    }

    private static String badIpWithoutPayload() {
        return rawEvent("\"sourceIPs\":[\"not-an-ip\"],");
    }

    /** Not valid JSON (trailing data), with a payload under {@code key}. */
    private static String invalid(String key) {
        return "{\"kind\":\"Event\",\"verb\":\"get\",\"" + key + "\":" + PAYLOAD + "} trailing";
    }

    /** An ECS document without any time (so malformed) holding {@code member}. */
    private static String ecsWithoutTime(String member) {
        return "{\"event.dataset\":\"kubernetes.audit_logs\",\"event.action\":\"get\",\"user.name\":\"alice\"," + member + "}";
    }

    private static void add(List<Arguments> cases, String name, byte[] record) {
        cases.add(Arguments.of(name, record));
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8ToUtf16(String s) {
        return s.getBytes(StandardCharsets.UTF_16LE);
    }

    /** The UTF-8 record with {@code from} replaced by {@code to}, written in ISO-8859-1 (so not UTF-8). */
    private static byte[] patched(String record, String from, String to) {
        String s = record.replace(from, to);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char c : s.toCharArray()) {
            out.write(c < 0x80 ? c : c & 0xFF);
        }
        return out.toByteArray();
    }

    /** The record with {@code placeholder} written as the overlong two-byte form of 'O'. */
    private static byte[] overlong(String record, char placeholder) {
        byte[] b = utf8(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : b) {
            if (x == placeholder) {
                out.write(0xC1);
                out.write(0x8F);
            } else {
                out.write(x);
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static boolean contains(byte[] bytes, byte b) {
        for (byte x : bytes) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJson(String s) {
        try {
            JSON.readTree(s);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static final Pattern ESCAPE = Pattern.compile("\\\\(u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", Pattern.DOTALL);

    /**
     * The text with every escape resolved (JSON's, and the {@code \x} of YAML and JavaScript), as
     * often as it takes, then only letters and digits, upper case: whatever way the marker was
     * escaped, spread out or cased, it shows.
     */
    private static String normalized(String text) {
        String s = text;
        for (int i = 0; i < 10; i++) {
            Matcher m = ESCAPE.matcher(s);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String c = m.group(2) != null ? String.valueOf((char) Integer.parseInt(m.group(2), 16))
                        : m.group(3) != null ? String.valueOf((char) Integer.parseInt(m.group(3), 16)) : m.group(4);
                m.appendReplacement(b, Matcher.quoteReplacement(c));
            }
            m.appendTail(b);
            if (b.toString().equals(s)) {
                break;
            }
            s = b.toString();
        }
        return s.replace('\u017f', 's').replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT);
    }
}
