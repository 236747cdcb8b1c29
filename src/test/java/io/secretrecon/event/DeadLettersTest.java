package io.secretrecon.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersTest {

    /** base64 of "hunter2-prod-db"; must never leave the job. */
    private static final String SECRET_VALUE = "aHVudGVyMi1wcm9kLWRi";
    private static final int LIMIT = DeadLetters.MAX_RECORD_BYTES;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void payloadsOfARawEventAreRemovedAndTheRestIsKept() throws Exception {
        DeadLetters.Sanitized s = DeadLetters.sanitize(rawSecretUpdate());

        JsonNode out = JSON.readTree(s.text);
        assertThat(out.has("requestObject")).isFalse();
        assertThat(out.has("responseObject")).isFalse();
        assertThat(out.path("verb").asText()).isEqualTo("update");
        assertThat(out.path("objectRef").path("name").asText()).isEqualTo("db-credentials");
        assertThat(out.path("sourceIPs").get(0).asText()).isEqualTo("10.0.3.17");
        assertThat(s.text).doesNotContain(SECRET_VALUE).doesNotContain("password");
        assertThat(s.truncated).isFalse();
    }

    @Test
    void payloadsAreRemovedAtAnyDepthAndInsideArrays() throws Exception {
        String list = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                + rawSecretUpdate() + "," + rawSecretUpdate() + "]}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(list);

        JsonNode items = JSON.readTree(s.text).path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(1).path("auditID").asText()).isEqualTo("5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11");
        assertThat(s.text).doesNotContain(SECRET_VALUE).doesNotContain("requestObject").doesNotContain("responseObject");
    }

    @Test
    void payloadsUnderNestedEcsKeysAreRemoved() {
        String ecs = "{\"@timestamp\":\"2025-03-04T06:22:18.819Z\",\"kubernetes\":{\"audit\":{\"verb\":\"update\","
                + "\"requestObject\":{\"data\":{\"password\":\"" + SECRET_VALUE + "\"}},"
                + "\"responseObject\":{\"data\":{\"password\":\"" + SECRET_VALUE + "\"}}}}}";

        assertThat(DeadLetters.sanitize(ecs).text)
                .isEqualTo("{\"@timestamp\":\"2025-03-04T06:22:18.819Z\",\"kubernetes\":{\"audit\":{\"verb\":\"update\"}}}");
    }

    @Test
    void payloadsUnderDottedEcsKeysAreRemoved() {
        String ecs = "{\"kubernetes.audit.verb\":\"update\","
                + "\"kubernetes.audit.requestObject\":{\"data\":{\"password\":\"" + SECRET_VALUE + "\"}},"
                + "\"kubernetes\":{\"audit.responseObject\":{\"data\":{\"password\":\"" + SECRET_VALUE + "\"}}}}";

        assertThat(DeadLetters.sanitize(ecs).text)
                .isEqualTo("{\"kubernetes.audit.verb\":\"update\",\"kubernetes\":{}}");
    }

    @Test
    void keysBelowAPayloadInOneDottedKeyAreRemovedToo() {
        String ecs = "{\"kubernetes.audit.verb\":\"update\","
                + "\"kubernetes.audit.requestObject.data.password\":\"" + SECRET_VALUE + "\","
                + "\"kubernetes\":{\"audit.responseObject.data\":{\"password\":\"" + SECRET_VALUE + "\"}}}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(ecs);

        assertThat(s.text).doesNotContain(SECRET_VALUE).startsWith("{\"kubernetes.audit.verb\":\"update\"");
    }

    @Test
    void aPayloadQuotedInsideAStringValueDoesNotLeak() throws Exception {
        // Elastic keeps the raw event as text in event.original when preserve_original_event is set.
        String original = rawSecretUpdate();
        String ecs = "{\"@timestamp\":\"2025-03-04T06:22:18.819Z\",\"event\":{\"action\":\"update\",\"original\":"
                + quoted(original) + "}}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(ecs);

        assertThat(s.text).doesNotContain(SECRET_VALUE).contains("\"action\":\"update\"");
    }

    @Test
    void aKeyThatOnlyContainsThePayloadNameIsKept() throws Exception {
        String ecs = "{\"requestObjectSize\":12,\"myrequestObject\":\"x\",\"kubernetes.audit.verb\":\"get\"}";

        JsonNode out = JSON.readTree(DeadLetters.sanitize(ecs).text);

        assertThat(out.path("requestObjectSize").asInt()).isEqualTo(12);
        assertThat(out.path("myrequestObject").asText()).isEqualTo("x");
    }

    @Test
    void scalarsOfEveryKindSurviveTheRewrite() throws Exception {
        String ecs = "{\"a\":\"s\",\"b\":42,\"c\":-1.5,\"d\":true,\"e\":false,\"f\":null,\"g\":[],\"h\":{},\"i\":[1,\"x\",null]}";

        assertThat(JSON.readTree(DeadLetters.sanitize(ecs).text)).isEqualTo(JSON.readTree(ecs));
    }

    @Test
    void invalidJsonIsCutBeforeTheFirstPayloadMention() {
        String broken = "{\"kind\":\"Event\",\"verb\":\"update\",\"requestObject\":{\"data\":{\"password\":\""
                + SECRET_VALUE + "\"}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(broken);

        assertThat(s.text).isEqualTo("{\"kind\":\"Event\",\"verb\":\"update\",\"");
        assertThat(s.truncated).isTrue();
    }

    @Test
    void invalidJsonIsCutBeforeWhicheverPayloadComesFirst() {
        String broken = "{\"verb\":\"update\",\"responseObject\":{\"data\":\"" + SECRET_VALUE + "\"},\"requestObject\":{";

        DeadLetters.Sanitized s = DeadLetters.sanitize(broken);

        assertThat(s.text).isEqualTo("{\"verb\":\"update\",\"");
        assertThat(s.truncated).isTrue();
    }

    @Test
    void invalidJsonWithoutPayloadIsKeptAsIs() {
        String broken = "{\"kind\":\"Event\",\"verb\":get}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(broken);

        assertThat(s.text).isEqualTo(broken);
        assertThat(s.truncated).isFalse();
    }

    @Test
    void trailingDataMakesARecordInvalidJson() {
        String twoObjects = "{\"verb\":\"get\"} {\"requestObject\":{\"data\":\"" + SECRET_VALUE + "\"}}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(twoObjects);

        assertThat(s.text).doesNotContain(SECRET_VALUE).startsWith("{\"verb\":\"get\"}");
        assertThat(s.truncated).isTrue();
    }

    @Test
    void invalidUtf8IsReplacedNotPropagated() {
        byte[] bytes = concat("{\"verb\":\"get\",\"name\":\"".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}".getBytes(StandardCharsets.UTF_8));

        DeadLetters.Sanitized s = DeadLetters.sanitize(bytes, 0, bytes.length);

        assertThat(s.text).startsWith("{\"verb\":\"get\"").contains("\uFFFD");
    }

    @Test
    void onlyTheGivenSliceOfTheBufferIsRead() {
        byte[] buffer = ("garbage{\"verb\":\"get\"}" + "{\"requestObject\":1}").getBytes(StandardCharsets.UTF_8);

        DeadLetters.Sanitized s = DeadLetters.sanitize(buffer, 7, 14);

        assertThat(s.text).isEqualTo("{\"verb\":\"get\"}");
    }

    @Test
    void aRecordOfExactlyTheLimitIsKeptWhole() {
        String record = "x".repeat(LIMIT);

        DeadLetters.Sanitized s = DeadLetters.sanitize(record);

        assertThat(s.text).isEqualTo(record);
        assertThat(s.truncated).isFalse();
    }

    @Test
    void aLongRecordIsCutTo64KibOfUtf8() {
        String record = "x".repeat(LIMIT + 1);

        DeadLetters.Sanitized s = DeadLetters.sanitize(record);

        assertThat(utf8Length(s.text)).isEqualTo(LIMIT);
        assertThat(s.truncated).isTrue();
    }

    @Test
    void theCutNeverSplitsAMultiByteCharacter() {
        // 'é' is 2 bytes: with one leading ASCII byte the limit falls in the middle of an 'é'.
        String twoByte = "x" + "é".repeat(LIMIT);
        // '€' is 3 bytes, a grinning face 4 bytes (a surrogate pair in Java).
        String threeByte = "€".repeat(LIMIT / 3 + 1);
        String fourByte = "xy" + "\uD83D\uDE00".repeat(LIMIT / 4 + 1);

        for (String record : new String[] {twoByte, threeByte, fourByte}) {
            DeadLetters.Sanitized s = DeadLetters.sanitize(record);

            assertThat(s.truncated).isTrue();
            assertThat(record).startsWith(s.text);
            assertThat(utf8Length(s.text)).isBetween(LIMIT - 3, LIMIT);
            assertThat(Character.isHighSurrogate(s.text.charAt(s.text.length() - 1))).isFalse();
            assertThat(new String(s.text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(s.text);
        }
    }

    @Test
    void aLongValidRecordIsStrippedBeforeItIsCut() {
        String big = "{\"requestObject\":{\"data\":\"" + SECRET_VALUE.repeat(10_000) + "\"},\"verb\":\"get\"}";

        DeadLetters.Sanitized s = DeadLetters.sanitize(big);

        assertThat(s.text).isEqualTo("{\"verb\":\"get\"}");
        assertThat(s.truncated).isFalse();
    }

    @Test
    void aDeadLetterCarriesReasonDetailOriginItemAndTheSanitizedRecord() {
        byte[] bytes = rawSecretUpdate().getBytes(StandardCharsets.UTF_8);
        RecordOrigin origin = RecordOrigin.kafka("k8s-audit", 3, 1_042L);

        DeadLetter d = DeadLetters.malformedItem("sourceIPs: not an IP address", origin, 2, bytes, 0, bytes.length);

        assertThat(d.reason).isEqualTo("malformed");
        assertThat(d.detail).isEqualTo("sourceIPs: not an IP address");
        assertThat(d.origin).isEqualTo(origin);
        assertThat(d.item).isEqualTo(2);
        assertThat(d.record).contains("db-credentials").doesNotContain(SECRET_VALUE);
        assertThat(d.truncated).isFalse();
    }

    @Test
    void reasonsKeepTheirWireNames() {
        assertThat(DeadLetterReason.MALFORMED.wireName()).isEqualTo("malformed");
        assertThat(DeadLetterReason.TOO_LARGE.wireName()).isEqualTo("too-large");
        assertThat(DeadLetterReason.LATE.wireName()).isEqualTo("late");
    }

    @Test
    void aLateDeadLetterCarriesTheRulesViewOfTheEvent() {
        RecordOrigin origin = RecordOrigin.fileLine("audit.log", 12);
        Map<String, String> view = new LinkedHashMap<>();
        view.put("@timestamp", "2025-03-04T06:22:18.819Z");
        view.put("user.name", "alice@example.com");
        view.put("user_agent.original", null);

        DeadLetter d = DeadLetters.late(EventTimes.parse("2025-03-04T06:22:18.819Z"),
                EventTimes.parse("2025-03-04T06:23:00Z"), origin, view);

        assertThat(d.reason).isEqualTo("late");
        assertThat(d.detail).isEqualTo("event time 2025-03-04T06:22:18.819Z is not after the watermark 2025-03-04T06:23:00.000Z");
        assertThat(d.origin).isEqualTo(origin);
        assertThat(d.item).isEqualTo(-1);
        assertThat(d.record).isEqualTo(
                "{\"@timestamp\":\"2025-03-04T06:22:18.819Z\",\"user.name\":\"alice@example.com\",\"user_agent.original\":null}");
        assertThat(d.truncated).isFalse();
    }

    @Test
    void aLateDeadLetterIsSanitizedAndCutLikeAnyOther() {
        Map<String, String> view = new LinkedHashMap<>();
        view.put("user.name", "alice@example.com");
        view.put("user_agent.original", "x".repeat(LIMIT));

        DeadLetter d = DeadLetters.late(0, 0, RecordOrigin.fileLine("audit.log", 1), view);

        assertThat(utf8Length(d.record)).isLessThanOrEqualTo(LIMIT);
        assertThat(d.record).startsWith("{\"user.name\":\"alice@example.com\"");
        assertThat(d.truncated).isTrue();
    }

    @Test
    void aTooLargeRecordIsTruncatedExactlyWhenItsHeadIsNotAllOfIt() {
        byte[] head = "{\"verb\":\"get\",\"requestURI\":\"/api/v1/".getBytes(StandardCharsets.UTF_8);
        RecordOrigin origin = RecordOrigin.fileLine("audit.log", 3);

        DeadLetter cut = DeadLetters.tooLarge(20L << 20, 16L << 20, origin, head, 0, head.length);
        DeadLetter whole = DeadLetters.tooLarge(head.length, 16, origin, head, 0, head.length);

        assertThat(cut.reason).isEqualTo("too-large");
        assertThat(cut.detail).isEqualTo("record of 20971520 bytes exceeds source.max-record-size (16777216 bytes)");
        assertThat(cut.record).isEqualTo(new String(head, StandardCharsets.UTF_8));
        assertThat(cut.truncated).isTrue();
        assertThat(whole.truncated).isFalse();
    }

    @Test
    void aMalformedInputWithoutRecordKeepsAnEmptyRecord() {
        DeadLetter d = DeadLetters.malformed("empty record value", RecordOrigin.kafka("k8s-audit", 0, 5));

        assertThat(d.reason).isEqualTo("malformed");
        assertThat(d.record).isEmpty();
        assertThat(d.item).isEqualTo(-1);
        assertThat(d.truncated).isFalse();
    }

    // ---------------------------------------------------------------- fixtures

    /** A RequestResponse-level audit event of a Secret update: both payloads hold the value. */
    private static String rawSecretUpdate() {
        String secret = "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db-credentials\","
                + "\"namespace\":\"payments\"},\"data\":{\"password\":\"" + SECRET_VALUE + "\"},\"type\":\"Opaque\"}";
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
                + "\"auditID\":\"5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11\",\"stage\":\"ResponseComplete\","
                + "\"requestURI\":\"/api/v1/namespaces/payments/secrets/db-credentials\",\"verb\":\"update\","
                + "\"user\":{\"username\":\"alice@example.com\",\"groups\":[\"system:authenticated\"]},"
                + "\"sourceIPs\":[\"10.0.3.17\"],\"userAgent\":\"kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234\","
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"payments\",\"name\":\"db-credentials\",\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"metadata\":{},\"code\":200},"
                + "\"requestObject\":" + secret + ",\"responseObject\":" + secret + ","
                + "\"requestReceivedTimestamp\":\"2025-03-04T06:22:18.819232Z\",\"stageTimestamp\":\"2025-03-04T06:22:18.822532Z\","
                + "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"\"}}";
    }

    private static String quoted(String text) throws Exception {
        return JSON.writeValueAsString(text);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
