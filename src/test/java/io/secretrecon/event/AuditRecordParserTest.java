package io.secretrecon.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class AuditRecordParserTest {

    /** When the API server received the request; its log writes microseconds. */
    private static final Instant RECEIVED = Instant.parse("2025-03-04T06:22:18.819Z");
    private static final String RECEIVED_TEXT = "2025-03-04T06:22:18.819232Z";
    private static final Instant STAGED = Instant.parse("2025-03-04T06:22:18.822Z");
    /** When Elasticsearch (or Kafka) took the event in, a few seconds later. */
    private static final Instant INGESTED = Instant.parse("2025-03-04T06:22:21.204Z");
    private static final long KAFKA_TIMESTAMP = Instant.parse("2025-03-04T06:22:19.500Z").toEpochMilli();

    /** base64 of "hunter2-prod-db": a secret's value, logged at RequestResponse level. */
    private static final String SECRET_VALUE = "aHVudGVyMi1wcm9kLWRi";
    private static final RecordOrigin ORIGIN = RecordOrigin.kafka("k8s-audit", 2, 7_341L);
    private static final int MAX_RECORD_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditRecordParser parser = new AuditRecordParser(MAX_RECORD_BYTES);

    // ---------------------------------------------------------------- raw audit.k8s.io/v1 Event

    @Test
    void aRawSecretGetIsMappedToTheEcsView() {
        AuditEvent e = eventOf(rawSecretGet("db-credentials"));

        assertSecretGet(e, RECEIVED);
        assertThat(e.origin).isEqualTo(ORIGIN);
    }

    @Test
    void theVerbIsCopiedAsIs() {
        assertThat(eventOf(rawSecretGet("db-credentials").with("verb", "GET")).action).containsExactly("GET");
    }

    @Test
    void theUserIsTheAuthenticatedOneNeverTheImpersonated() {
        Doc impersonating = rawSecretGet("db-credentials")
                .with("user.username", "system:admin")
                .with("impersonatedUser", JSON.createObjectNode().put("username", "bob"));

        AuditEvent e = eventOf(impersonating);

        assertThat(e.userName).containsExactly("system:admin");
        assertThat(e.auditUserName).containsExactly("system:admin");
    }

    @Test
    void everySourceIpIsKeptInOrderAndCanonicalised() {
        Doc throughProxy = rawSecretGet("db-credentials")
                .with("sourceIPs", List.of("203.0.113.9", "::FFFF:10.0.3.17", "2001:0DB8:0:0:0:0:0:0001"));

        assertThat(eventOf(throughProxy).sourceIp).containsExactly("203.0.113.9", "10.0.3.17", "2001:db8::1");
    }

    @Test
    void theAuthorizationDecisionAnnotationIsRead() {
        AuditEvent e = eventOf(rawSecretGet("db-credentials").annotation("authorization.k8s.io/decision", "forbid"));

        assertThat(e.decision).containsExactly("forbid");
    }

    @Test
    void theEventTimeIsRequestReceivedTimestamp() {
        Doc withAll = rawSecretGet("db-credentials").with("timestamp", "2025-03-04T06:20:00Z");

        assertThat(time(eventOf(withAll))).isEqualTo(RECEIVED);
    }

    @Test
    void olderApiServersWroteTimestampInstead() {
        Doc old = rawSecretGet("db-credentials")
                .with("apiVersion", "audit.k8s.io/v1beta1")
                .without("requestReceivedTimestamp")
                .with("timestamp", "2017-09-11T19:55:05Z");

        assertThat(time(eventOf(old))).isEqualTo(Instant.parse("2017-09-11T19:55:05Z"));
    }

    @Test
    void stageTimestampIsTheLastResort() {
        Doc onlyStage = rawSecretGet("db-credentials").without("requestReceivedTimestamp");

        assertThat(time(eventOf(onlyStage))).isEqualTo(STAGED);
    }

    @Test
    void theKafkaTimestampIsTheEventTimeOfARawEvent() {
        AuditEvent e = single(parse(rawSecretGet("db-credentials"), KAFKA_TIMESTAMP)).event;

        assertThat(e.timestamp).isEqualTo(KAFKA_TIMESTAMP);
    }

    @Test
    void aRawEventFromKafkaNeedsNoTimestampOfItsOwn() {
        Doc bare = rawSecretGet("db-credentials").without("requestReceivedTimestamp").without("stageTimestamp");

        assertThat(single(parse(bare, KAFKA_TIMESTAMP)).event.timestamp).isEqualTo(KAFKA_TIMESTAMP);
    }

    @Test
    void aListRequestHasNoSecretName() {
        Doc list = rawSecretGet("db-credentials").with("verb", "list").without("objectRef.name");

        AuditEvent e = eventOf(list);

        assertThat(e.secretName).isNull();
        assertThat(e.action).containsExactly("list");
    }

    @Test
    void nullsAndEmptyArraysAreAbsent() {
        Doc sparse = rawSecretGet("db-credentials")
                .with("userAgent", null)
                .with("objectRef.namespace", List.of())
                .annotation("authorization.k8s.io/decision", null)
                .with("auditID", null);

        AuditEvent e = eventOf(sparse);

        assertThat(e.userAgent).isNull();
        assertThat(e.namespace).isNull();
        assertThat(e.decision).isNull();
        assertThat(e.auditId).isNull();
    }

    @Test
    void nullsInsideArraysAreLeftOut() {
        Doc withNulls = rawSecretGet("db-credentials").with("sourceIPs", Arrays.asList(null, "10.0.3.17", null));

        assertThat(eventOf(withNulls).sourceIp).containsExactly("10.0.3.17");
    }

    @Test
    void payloadsAreNeverReadEvenWhenTheyLookLikeAuditFields() {
        // A Secret whose data happens to use the audit event's own field names.
        ObjectNode lookalike = JSON.createObjectNode();
        lookalike.put("kind", "Secret").put("verb", SECRET_VALUE).put("sourceIPs", SECRET_VALUE);
        lookalike.putObject("user").put("username", SECRET_VALUE);
        lookalike.putObject("objectRef").put("name", SECRET_VALUE);
        lookalike.putObject("data").put("password", SECRET_VALUE);
        Doc update = rawSecretGet("db-credentials").with("requestObject", lookalike).with("responseObject", lookalike);

        AuditEvent e = eventOf(update);

        assertThat(textOf(e)).doesNotContain(SECRET_VALUE);
        assertThat(e.userName).containsExactly("alice@example.com");
    }

    // ---------------------------------------------------------------- EventList (webhook backend)

    @Test
    void everyItemOfAnEventListIsAnEvent() {
        Doc list = eventList(rawItem("db-credentials"), rawItem("api-token"), rawItem("tls-key"));

        List<ParsedRecord> out = parse(list);

        assertThat(out).allSatisfy(r -> assertThat(r.deadLetter).isNull());
        assertThat(out).extracting(r -> r.event.secretName[0]).containsExactly("db-credentials", "api-token", "tls-key");
        assertThat(out).extracting(r -> r.event.dataset[0]).containsOnly("kubernetes.audit_logs");
        assertThat(out).extracting(r -> time(r.event)).containsOnly(RECEIVED);
    }

    @Test
    void theKafkaTimestampIsTheEventTimeOfEveryItem() {
        List<ParsedRecord> out = parse(eventList(rawItem("db-credentials"), rawItem("api-token")), KAFKA_TIMESTAMP);

        assertThat(out).extracting(r -> r.event.timestamp).containsExactly(KAFKA_TIMESTAMP, KAFKA_TIMESTAMP);
    }

    @Test
    void aBadItemIsOneDeadLetterAndTheGoodItemsStillCount() {
        Doc list = eventList(
                rawItem("db-credentials"),
                rawItem("api-token").with("sourceIPs", List.of("not-an-ip")),
                rawItem("tls-key"));

        List<ParsedRecord> out = parse(list);

        assertThat(out).hasSize(3);
        assertThat(out.get(0).event.secretName).containsExactly("db-credentials");
        DeadLetter bad = out.get(1).deadLetter;
        assertThat(bad.reason).isEqualTo("malformed");
        assertThat(bad.item).isEqualTo(1);
        assertThat(bad.detail).contains("item 1").contains("sourceIPs");
        assertThat(bad.origin).isEqualTo(ORIGIN);
        assertThat(out.get(2).event.secretName).containsExactly("tls-key");
    }

    @Test
    void anItemWithAWrongTypeDeepInsideDoesNotDerailTheNextItems() {
        Doc list = eventList(
                rawItem("db-credentials").with("user.username", JSON.createObjectNode().putObject("nested").put("x", 1)),
                rawItem("api-token"),
                JSON.valueToTree("not an object"),
                rawItem("tls-key").with("verb", 7));

        List<ParsedRecord> out = parse(list);

        assertThat(out).hasSize(4);
        assertThat(out.get(0).deadLetter.detail).contains("user.username");
        assertThat(out.get(1).event.secretName).containsExactly("api-token");
        assertThat(out.get(2).deadLetter.item).isEqualTo(2);
        assertThat(out.get(3).deadLetter.detail).contains("verb");
        assertThat(out.get(3).deadLetter.item).isEqualTo(3);
    }

    @Test
    void anEventListWithoutItemsIsMalformed() {
        DeadLetter d = deadLetterOf(eventList().without("items"));

        assertThat(d.reason).isEqualTo("malformed");
        assertThat(d.detail).contains("items");
    }

    @Test
    void anEmptyEventListYieldsNothing() {
        assertThat(parse(eventList())).isEmpty();
    }

    // ---------------------------------------------------------------- ECS documents

    @Test
    void aNestedEcsDocumentIsRead() {
        assertEcsSecretGet(eventOf(ecsSecretGet()));
    }

    @Test
    void anEcsDocumentWithDottedKeysIsRead() {
        String dotted = """
                {"@timestamp": "2025-03-04T06:22:18.819Z",
                 "event.dataset": "kubernetes.audit_logs", "event.action": "get", "event.ingested": "2025-03-04T06:22:21.204517Z",
                 "kubernetes.audit.auditID": "5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11",
                 "kubernetes.audit.objectRef.resource": "secrets", "kubernetes.audit.objectRef.namespace": "payments",
                 "kubernetes.audit.objectRef.name": "db-credentials",
                 "kubernetes.audit.user.username": "alice@example.com",
                 "kubernetes.audit.annotations.authorization_k8s_io/decision": "allow",
                 "source.ip": "10.0.3.17", "user.name": "alice@example.com",
                 "user_agent.original": "kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234"}
                """;

        assertEcsSecretGet(eventOf(dotted));
    }

    @Test
    void anEcsDocumentMixingDottedAndNestedKeysAtAnyLevelIsRead() {
        String mixed = """
                {"@timestamp": "2025-03-04T06:22:18.819Z",
                 "event": {"dataset": "kubernetes.audit_logs", "action": "get", "ingested": "2025-03-04T06:22:21.204517Z"},
                 "kubernetes.audit": {"auditID": "5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11",
                                      "objectRef.resource": "secrets",
                                      "objectRef": {"namespace": "payments", "name": "db-credentials"},
                                      "user.username": "alice@example.com",
                                      "annotations": {"authorization_k8s_io/decision": "allow"}},
                 "source": {"ip": "10.0.3.17"}, "user.name": "alice@example.com",
                 "user_agent": {"original": "kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234"}}
                """;

        assertEcsSecretGet(eventOf(mixed));
    }

    @Test
    void arraysOfObjectsContributeEveryValue() {
        String arrays = """
                {"@timestamp": "2025-03-04T06:22:18.819Z",
                 "kubernetes": {"audit": [{"objectRef": {"name": "db-credentials"}}, {"objectRef": [{"name": "api-token"}]}]},
                 "user_agent": [{"original": "kubectl/v1.31.2"}, {"original": ["k9s/0.32.5", "kubectl/v1.31.2"]}]}
                """;

        AuditEvent e = eventOf(arrays);

        assertThat(e.secretName).containsExactly("db-credentials", "api-token");
        assertThat(e.userAgent).containsExactly("kubectl/v1.31.2", "k9s/0.32.5", "kubectl/v1.31.2");
    }

    @Test
    void multiValuedFieldsAreKeptForTheRuleToJudge() {
        AuditEvent e = eventOf(ecsSecretGet().with("user.name", List.of("alice@example.com", "bob@example.com")));

        assertThat(e.userName).containsExactly("alice@example.com", "bob@example.com");
    }

    @Test
    void anEcsSourceIpIsCanonicalised() {
        AuditEvent e = eventOf(ecsSecretGet().with("source.ip", "0:0:0:0:0:0:0:1"));

        assertThat(e.sourceIp).containsExactly("::1");
    }

    @Test
    void theEcsEventTimeIsIngestedAndTheKafkaTimestampIsIgnored() {
        AuditEvent e = single(parse(ecsSecretGet(), KAFKA_TIMESTAMP)).event;

        assertThat(time(e)).isEqualTo(INGESTED);
    }

    @Test
    void withoutIngestedTheEcsEventTimeIsAtTimestamp() {
        AuditEvent e = eventOf(ecsSecretGet().without("event.ingested"));

        assertThat(time(e)).isEqualTo(RECEIVED);
    }

    @Test
    void epochMillisAreAcceptedAsNumbersAndAsText() {
        long millis = INGESTED.toEpochMilli();

        assertThat(eventOf(ecsSecretGet().with("event.ingested", millis)).timestamp).isEqualTo(millis);
        assertThat(eventOf(ecsSecretGet().with("event.ingested", millis + 0.75)).timestamp).isEqualTo(millis);
        assertThat(eventOf(ecsSecretGet().with("event.ingested", Long.toString(millis))).timestamp).isEqualTo(millis);
        assertThat(eventOf(rawSecretGet("db-credentials").with("requestReceivedTimestamp", millis)).timestamp).isEqualTo(millis);
    }

    @Test
    void oneTimestampRepeatedIsStillOneTimestamp() {
        AuditEvent e = eventOf(ecsSecretGet().without("event.ingested").with("@timestamp", List.of(RECEIVED_TEXT, RECEIVED_TEXT)));

        assertThat(time(e)).isEqualTo(RECEIVED);
    }

    @Test
    void aDocumentOfAnotherDatasetIsStillAnEventForTheRuleToDrop() {
        AuditEvent e = eventOf(ecsSecretGet().with("event.dataset", "kubernetes.container_logs"));

        assertThat(e.dataset).containsExactly("kubernetes.container_logs");
    }

    @Test
    void ecsPayloadsAreNeverRead() {
        ObjectNode secret = JSON.createObjectNode();
        secret.putObject("objectRef").put("name", SECRET_VALUE);
        secret.putObject("data").put("password", SECRET_VALUE);
        Doc doc = ecsSecretGet()
                .with("kubernetes.audit.requestObject", secret)
                .withKey("kubernetes.audit.responseObject", secret)
                .withKey("kubernetes.audit.responseObject.data.password", SECRET_VALUE);

        AuditEvent e = eventOf(doc);

        assertThat(textOf(e)).doesNotContain(SECRET_VALUE);
        assertThat(e.secretName).containsExactly("db-credentials");
    }

    @Test
    void aParserSurvivesJavaSerialization() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(parser);
        }
        AuditRecordParser copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            copy = (AuditRecordParser) in.readObject();
        }
        List<ParsedRecord> out = new ArrayList<>();
        byte[] bytes = rawSecretGet("db-credentials").bytes();

        copy.parse(bytes, 0, bytes.length, ORIGIN, null, out::add);

        assertThat(single(out).event.secretName).containsExactly("db-credentials");
    }

    // ---------------------------------------------------------------- malformed records

    @Test
    void brokenJsonIsMalformed() {
        assertMalformed("{\"kind\":\"Event\",\"verb\":\"get\"", "invalid JSON");
        assertMalformed("{\"kind\":\"Event\",\"verb\":get}", "invalid JSON");
        assertMalformed("{'kind':'Event'}", "invalid JSON");
    }

    @Test
    void aTopLevelThatIsNotAnObjectIsMalformed() {
        for (String record : new String[] {"", "   ", "[]", "[" + rawSecretGet("x").json() + "]", "\"Event\"", "42", "null", "true"}) {
            assertMalformed(record, "not a JSON object");
        }
    }

    @Test
    void trailingDataIsMalformed() {
        String one = rawSecretGet("db-credentials").json();

        assertMalformed(one + one, "trailing data");
        assertMalformed(one + " []", "trailing data");
        assertMalformed(one + " x", "invalid JSON");
    }

    @Test
    void duplicateKeysAreMalformed() {
        String duplicate = rawSecretGet("db-credentials").json().replaceFirst("\\{", "{\"verb\":\"list\",");

        assertMalformed(duplicate, "verb");
    }

    @Test
    void anObjectWhereAStringBelongsIsMalformed() {
        assertMalformed(ecsSecretGet().with("user.name", JSON.createObjectNode().put("first", "alice")), "user.name");
        assertMalformed(rawSecretGet("x").with("userAgent", JSON.createObjectNode().put("a", "b")), "userAgent");
    }

    @Test
    void aStringWhereAnObjectBelongsIsMalformed() {
        assertMalformed(rawSecretGet("x").with("objectRef", "secrets/db-credentials"), "objectRef");
    }

    @Test
    void aNumberOrBooleanWhereAStringBelongsIsMalformed() {
        assertMalformed(ecsSecretGet().with("user.name", 42), "user.name");
        assertMalformed(ecsSecretGet().with("kubernetes.audit.objectRef.name", List.of("db-credentials", 7)), "kubernetes.audit.objectRef.name");
        assertMalformed(ecsSecretGet().with("source.ip", 167_772_161), "source.ip");
        assertMalformed(rawSecretGet("x").with("verb", true), "verb");
        assertMalformed(rawSecretGet("x").with("objectRef.namespace", false), "objectRef.namespace");
    }

    @Test
    void aWrongTypeInAFieldTheShapeDoesNotReadIsNoError() {
        // ECS documents never read the raw audit paths, and raw events never read ECS paths.
        AuditEvent ecs = eventOf(ecsSecretGet().with("kind", Map.of("name", "pod")).with("verb", 5)
                .with("objectRef", "a string").with("timestamp", true));
        assertThat(ecs.secretName).containsExactly("db-credentials");

        AuditEvent raw = eventOf(rawSecretGet("db-credentials").with("event", "not an object").with("user.name", 3));
        assertThat(raw.secretName).containsExactly("db-credentials");
    }

    @Test
    void anUnparsableIpIsMalformed() {
        assertMalformed(ecsSecretGet().with("source.ip", "10.0.3.256"), "source.ip");
        assertMalformed(ecsSecretGet().with("source.ip", List.of("10.0.3.17", "gateway.internal")), "source.ip");
        assertMalformed(rawSecretGet("x").with("sourceIPs", List.of("10.0.3.17", "fe80::1%eth0")), "sourceIPs");
    }

    @Test
    void anUnparsableTimestampIsMalformed() {
        assertMalformed(ecsSecretGet().with("event.ingested", "yesterday"), "event.ingested");
        assertMalformed(ecsSecretGet().without("event.ingested").with("@timestamp", "2025-02-30T00:00:00Z"), "@timestamp");
        assertMalformed(rawSecretGet("x").with("requestReceivedTimestamp", "2025-03-04T24:00:00Z"), "requestReceivedTimestamp");
    }

    @Test
    void anUnparsableTimestampIsMalformedEvenWhenAFallbackExists() {
        assertMalformed(ecsSecretGet().with("event.ingested", "2025-03-04T06:22:21.204517Zjunk"), "event.ingested");
        assertMalformed(rawSecretGet("x").with("requestReceivedTimestamp", "soon"), "requestReceivedTimestamp");
        assertMalformed(rawSecretGet("x").without("requestReceivedTimestamp").with("timestamp", "soon"), "timestamp");
    }

    @Test
    void anUnparsableTimestampIsMalformedEvenWhenAnEarlierOneDecides() {
        // Elasticsearch refuses to index a document with an unparsable date, whichever field wins.
        assertMalformed(ecsSecretGet().with("@timestamp", "not a time"), "@timestamp");
        assertMalformed(rawSecretGet("x").with("stageTimestamp", "not a time"), "stageTimestamp");
        assertMalformed(rawSecretGet("x").with("timestamp", "not a time"), "timestamp");
        assertThat(single(parse(rawSecretGet("x").with("requestReceivedTimestamp", "not a time"), KAFKA_TIMESTAMP)).deadLetter)
                .as("a raw event from Kafka with an unparsable time")
                .isNotNull();
    }

    @Test
    void noTimestampAtAllIsMalformed() {
        assertMalformed(ecsSecretGet().without("event.ingested").without("@timestamp"), "no event time");
        assertMalformed(ecsSecretGet().without("event.ingested").with("@timestamp", null), "no event time");
        assertMalformed(rawSecretGet("x").without("requestReceivedTimestamp").without("stageTimestamp"), "no event time");
    }

    @Test
    void severalDistinctTimestampsAreMalformed() {
        assertMalformed(ecsSecretGet().with("event.ingested", List.of("2025-03-04T06:22:21Z", "2025-03-04T06:22:22Z")), "event.ingested");
        assertMalformed(ecsSecretGet().without("event.ingested").with("@timestamp", List.of(RECEIVED_TEXT, "2025-03-04T06:22:19Z")),
                "@timestamp");
        assertMalformed(ecsSecretGet().withKey("event.ingested", "2025-03-04T06:22:22Z"), "event.ingested");
    }

    @Test
    void aTimestampOutOfRangeIsMalformed() {
        assertMalformed(ecsSecretGet().with("event.ingested", new java.math.BigInteger("123456789012345678901234567890")), "event.ingested");
    }

    @Test
    void invalidUtf8IsMalformedWhereverItIs() {
        byte[] inAName = withBytePatched(rawSecretGet("db-credentials\u00e9"), "\u00e9", (byte) 0xFF);
        byte[] inASkippedField = withBytePatched(rawSecretGet("x").with("requestURI", "/api/v1/\u00e9"), "\u00e9", (byte) 0xE9);

        assertThat(single(parse(inAName)).deadLetter.reason).isEqualTo("malformed");
        assertThat(single(parse(inAName)).deadLetter.detail).contains("UTF-8");
        assertThat(single(parse(inASkippedField)).deadLetter.reason).isEqualTo("malformed");
    }

    @Test
    void tooDeepNestingIsMalformed() {
        String deep = "[".repeat(300) + "]".repeat(300);
        Doc doc = rawSecretGet("x").with("responseStatus", JSON.createObjectNode().put("placeholder", "HERE"));

        DeadLetter d = deadLetterOf(doc.json().replace("\"HERE\"", deep));

        assertThat(d.reason).isEqualTo("malformed");
        assertThat(d.detail).contains("nesting depth");
    }

    @Test
    void aRecordOverTheLimitIsTooLargeAndOneAtTheLimitIsRead() {
        AuditRecordParser small = new AuditRecordParser(2048);
        Doc padded = rawSecretGet("db-credentials").with("requestURI", "");
        int room = 2048 - padded.bytes().length;
        byte[] atLimit = padded.with("requestURI", "x".repeat(room)).bytes();
        byte[] overLimit = padded.with("requestURI", "x".repeat(room + 1)).bytes();

        assertThat(atLimit).hasSize(2048);
        List<ParsedRecord> ok = new ArrayList<>();
        small.parse(atLimit, 0, atLimit.length, ORIGIN, null, ok::add);
        assertThat(single(ok).event).isNotNull();
        List<ParsedRecord> tooLarge = new ArrayList<>();
        small.parse(overLimit, 0, overLimit.length, ORIGIN, null, tooLarge::add);
        DeadLetter d = single(tooLarge).deadLetter;
        assertThat(d.reason).isEqualTo("too-large");
        assertThat(d.detail).contains("2049");
        assertThat(d.origin).isEqualTo(ORIGIN);
    }

    @Test
    void onlyTheGivenSliceOfTheBufferIsParsed() {
        byte[] record = rawSecretGet("db-credentials").bytes();
        byte[] buffer = new byte[record.length + 20];
        Arrays.fill(buffer, (byte) '{');
        System.arraycopy(record, 0, buffer, 10, record.length);
        List<ParsedRecord> out = new ArrayList<>();

        parser.parse(buffer, 10, record.length, ORIGIN, null, out::add);

        assertThat(single(out).event.secretName).containsExactly("db-credentials");
    }

    // ---------------------------------------------------------------- secrets never leak

    @Test
    void deadLettersNeverHoldPayloadContent() {
        ObjectNode secret = JSON.createObjectNode();
        secret.put("kind", "Secret").putObject("data").put("password", SECRET_VALUE);
        Doc update = rawSecretGet("db-credentials").with("requestObject", secret).with("responseObject", secret);
        List<String> malformed = List.of(
                update.with("sourceIPs", List.of("not-an-ip")).json(),
                update.without("requestReceivedTimestamp").without("stageTimestamp").json(),
                update.with("verb", 1).json(),
                update.json() + "{}",
                update.json().substring(0, update.json().length() - 1),
                eventList(update, update.with("user.username", 3)).json());

        for (String record : malformed) {
            List<ParsedRecord> out = parse(record);
            assertThat(out).as(record).anySatisfy(r -> assertThat(r.deadLetter).isNotNull());
            for (ParsedRecord r : out) {
                assertThat(r.event == null ? textOf(r.deadLetter) : textOf(r.event)).doesNotContain(SECRET_VALUE);
            }
        }
    }

    @Test
    void aTooLargeDeadLetterHoldsNoPayloadContent() {
        ObjectNode secret = JSON.createObjectNode();
        secret.put("kind", "Secret").putObject("data").put("password", SECRET_VALUE);
        byte[] bytes = rawSecretGet("db-credentials").with("requestObject", secret).bytes();
        List<ParsedRecord> out = new ArrayList<>();

        new AuditRecordParser(512).parse(bytes, 0, bytes.length, ORIGIN, null, out::add);

        assertThat(single(out).deadLetter.reason).isEqualTo("too-large");
        assertThat(textOf(single(out).deadLetter)).doesNotContain(SECRET_VALUE);
    }

    @Test
    void theParserErrorMessageDoesNotQuotePayloadContent() {
        // An unquoted value inside requestObject: Jackson's message would quote the token.
        String broken = rawSecretGet("db-credentials").with("requestObject", "HERE").json()
                .replace("\"HERE\"", "{\"data\":{\"password\":" + SECRET_VALUE + "}}");
        DeadLetter d = deadLetterOf(broken);
        assertThat(d.reason).isEqualTo("malformed");
        assertThat(d.detail).startsWith("invalid JSON");
        assertThat(textOf(d)).doesNotContain(SECRET_VALUE);
    }

    @Test
    void duplicateKeysInsideAPayloadAreNeverLookedAt() {
        // Payloads are skipped token by token: their keys are not even compared.
        String duplicateKey = rawSecretGet("db-credentials").with("requestObject", "HERE").json()
                .replace("\"HERE\"", "{\"data\":{\"" + SECRET_VALUE + "\":\"a\",\"" + SECRET_VALUE + "\":\"b\"}}");

        AuditEvent e = eventOf(duplicateKey);
        assertThat(e.secretName).containsExactly("db-credentials");
        assertThat(textOf(e)).doesNotContain(SECRET_VALUE);
    }

    @Test
    void theParserErrorMessageIsKeptWhenNoPayloadIsInvolved() {
        DeadLetter d = deadLetterOf("{\"kind\":\"Event\",\"verb\":gett}");

        assertThat(d.detail).contains("gett");
    }

    // ---------------------------------------------------------------- helpers

    private List<ParsedRecord> parse(Doc doc) {
        return parse(doc.json());
    }

    private List<ParsedRecord> parse(Doc doc, long kafkaTimestamp) {
        byte[] bytes = doc.bytes();
        List<ParsedRecord> out = new ArrayList<>();
        parser.parse(bytes, 0, bytes.length, ORIGIN, kafkaTimestamp, out::add);
        return out;
    }

    private List<ParsedRecord> parse(String record) {
        return parse(record.getBytes(StandardCharsets.UTF_8));
    }

    private List<ParsedRecord> parse(byte[] bytes) {
        List<ParsedRecord> out = new ArrayList<>();
        parser.parse(bytes, 0, bytes.length, ORIGIN, null, out::add);
        return out;
    }

    private AuditEvent eventOf(Doc doc) {
        return eventOf(doc.json());
    }

    private AuditEvent eventOf(String record) {
        ParsedRecord r = single(parse(record));
        assertThat(r.deadLetter).as("dead letter %s", r.deadLetter == null ? null : r.deadLetter.detail).isNull();
        return r.event;
    }

    private DeadLetter deadLetterOf(Doc doc) {
        return deadLetterOf(doc.json());
    }

    private DeadLetter deadLetterOf(String record) {
        ParsedRecord r = single(parse(record));
        assertThat(r.event).as("an event from %s", record).isNull();
        return r.deadLetter;
    }

    private void assertMalformed(Doc doc, String detailMentions) {
        assertMalformed(doc.json(), detailMentions);
    }

    private void assertMalformed(String record, String detailMentions) {
        DeadLetter d = deadLetterOf(record);
        assertThat(d.reason).as(record).isEqualTo("malformed");
        assertThat(d.detail).as(record).contains(detailMentions);
        assertThat(d.item).isEqualTo(-1);
        assertThat(d.origin).isEqualTo(ORIGIN);
    }

    private static <T> T single(List<T> out) {
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static Instant time(AuditEvent e) {
        return Instant.ofEpochMilli(e.timestamp);
    }

    private static void assertEcsSecretGet(AuditEvent e) {
        assertSecretGet(e, INGESTED);
    }

    /** The secret GET both fixtures describe, the ECS view of the raw event and the ECS document alike. */
    private static void assertSecretGet(AuditEvent e, Instant expectedTime) {
        assertThat(e.dataset).containsExactly("kubernetes.audit_logs");
        assertThat(e.action).containsExactly("get");
        assertThat(e.resource).containsExactly("secrets");
        assertThat(e.secretName).containsExactly("db-credentials");
        assertThat(e.namespace).containsExactly("payments");
        assertThat(e.userName).containsExactly("alice@example.com");
        assertThat(e.auditUserName).containsExactly("alice@example.com");
        assertThat(e.sourceIp).containsExactly("10.0.3.17");
        assertThat(e.userAgent).containsExactly("kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234");
        assertThat(e.decision).containsExactly("allow");
        assertThat(e.auditId).isEqualTo("5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11");
        assertThat(time(e)).isEqualTo(expectedTime);
    }

    private static String textOf(AuditEvent e) {
        return Stream.of(e.dataset, e.action, e.resource, e.secretName, e.namespace, e.userName, e.auditUserName,
                        e.sourceIp, e.userAgent, e.decision, new String[] {e.auditId})
                .filter(Objects::nonNull)
                .flatMap(Arrays::stream)
                .map(String::valueOf)
                .collect(Collectors.joining("|"));
    }

    private static String textOf(DeadLetter d) {
        return d.reason + "|" + d.detail + "|" + d.record;
    }

    private static byte[] withBytePatched(Doc doc, String marker, byte replacement) {
        byte[] bytes = doc.bytes();
        byte[] m = marker.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + m.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + m.length, m, 0, m.length)) {
                bytes[i] = replacement;
                return bytes;
            }
        }
        throw new AssertionError("marker not found");
    }

    // ---------------------------------------------------------------- fixtures

    /** A Metadata-level raw audit event of {@code kubectl get secret <name>}, as the log backend writes it. */
    private static Doc rawSecretGet(String name) {
        return rawItem(name).with("kind", "Event").with("apiVersion", "audit.k8s.io/v1");
    }

    /** An EventList item: the webhook backend leaves out kind and apiVersion. */
    private static Doc rawItem(String name) {
        return new Doc()
                .with("level", "Metadata")
                .with("auditID", "5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11")
                .with("stage", "ResponseComplete")
                .with("requestURI", "/api/v1/namespaces/payments/secrets/" + name)
                .with("verb", "get")
                .with("user.username", "alice@example.com")
                .with("user.uid", "4c1f0e9b-8f3e-4a57-b1b2-9d8a1f5e2c33")
                .with("user.groups", List.of("oidc:platform-team", "system:authenticated"))
                .with("sourceIPs", List.of("10.0.3.17"))
                .with("userAgent", "kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234")
                .with("objectRef.resource", "secrets")
                .with("objectRef.namespace", "payments")
                .with("objectRef.name", name)
                .with("objectRef.apiVersion", "v1")
                .with("responseStatus.code", 200)
                .with("requestReceivedTimestamp", RECEIVED_TEXT)
                .with("stageTimestamp", "2025-03-04T06:22:18.822532Z")
                .annotation("authorization.k8s.io/decision", "allow")
                .annotation("authorization.k8s.io/reason", "RBAC: allowed by ClusterRoleBinding \"platform-admins\"");
    }

    private static Doc eventList(Object... items) {
        ArrayNode array = JSON.createArrayNode();
        for (Object item : items) {
            array.add(item instanceof Doc ? ((Doc) item).root : JSON.valueToTree(item));
        }
        return new Doc().with("kind", "EventList").with("apiVersion", "audit.k8s.io/v1")
                .with("metadata", JSON.createObjectNode()).with("items", array);
    }

    /** The ECS document Elastic's ingest pipeline makes of {@link #rawSecretGet}, nested keys. */
    private static Doc ecsSecretGet() {
        return new Doc()
                .with("@timestamp", "2025-03-04T06:22:18.819Z")
                .with("event.dataset", "kubernetes.audit_logs")
                .with("event.action", "get")
                .with("event.kind", "event")
                .with("event.outcome", "success")
                .with("event.ingested", "2025-03-04T06:22:21.204517Z")
                .with("kubernetes.audit.auditID", "5b1f6c1e-31a4-4f0e-9d8c-2b7e0c9a4d11")
                .with("kubernetes.audit.verb", "get")
                .with("kubernetes.audit.objectRef.resource", "secrets")
                .with("kubernetes.audit.objectRef.namespace", "payments")
                .with("kubernetes.audit.objectRef.name", "db-credentials")
                .with("kubernetes.audit.user.username", "alice@example.com")
                .with("kubernetes.audit.sourceIPs", List.of("10.0.3.17"))
                .with("kubernetes.audit.annotations.authorization_k8s_io/decision", "allow")
                .with("source.ip", List.of("10.0.3.17"))
                .with("user.name", "alice@example.com")
                .with("user_agent.original", "kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234")
                .with("tags", List.of("preserve_original_event"));
    }

    /** A JSON document built by path; every change returns a modified copy. */
    private static final class Doc {
        final ObjectNode root;

        Doc() {
            this(JSON.createObjectNode());
        }

        private Doc(ObjectNode root) {
            this.root = root;
        }

        /** Sets the member at a dotted path of nested objects. */
        Doc with(String path, Object value) {
            Doc copy = new Doc(root.deepCopy());
            String[] segments = path.split("\\.");
            copy.parentOf(segments).set(segments[segments.length - 1], JSON.valueToTree(value));
            return copy;
        }

        /** Sets a top-level member whose key is written with dots. */
        Doc withKey(String dottedKey, Object value) {
            Doc copy = new Doc(root.deepCopy());
            copy.root.set(dottedKey, JSON.valueToTree(value));
            return copy;
        }

        Doc annotation(String key, Object value) {
            Doc copy = new Doc(root.deepCopy());
            ObjectNode annotations = root.has("annotations") ? (ObjectNode) copy.root.get("annotations") : copy.root.putObject("annotations");
            annotations.set(key, JSON.valueToTree(value));
            return copy;
        }

        Doc without(String path) {
            Doc copy = new Doc(root.deepCopy());
            String[] segments = path.split("\\.");
            copy.parentOf(segments).remove(segments[segments.length - 1]);
            return copy;
        }

        private ObjectNode parentOf(String[] segments) {
            ObjectNode node = root;
            for (int i = 0; i < segments.length - 1; i++) {
                JsonNode child = node.get(segments[i]);
                node = child instanceof ObjectNode ? (ObjectNode) child : node.putObject(segments[i]);
            }
            return node;
        }

        String json() {
            return root.toString();
        }

        byte[] bytes() {
            return json().getBytes(StandardCharsets.UTF_8);
        }
    }
}
