package io.secretrecon.rule.exceptions;

import io.secretrecon.event.EventTimes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON form of an entry: what is accepted, and why everything else is refused. */
class ExceptionEntriesTest {

    private static final long RECORD_TIME = EventTimes.parse("2026-11-02T09:00:00Z");
    private static final String FULL = "{\"id\": \"velero-backups\", \"field\": \"kubernetes.audit.user.username\","
            + " \"operator\": \"is\", \"values\": [\"system:serviceaccount:velero:velero\"], \"decision\": \"allow\","
            + " \"expires\": \"2026-12-31T00:00:00Z\", \"author\": \"jane\", \"comment\": \"nightly backups\"}";

    @Test
    void aFullEntry() {
        ExceptionEntries.Parsed p = ExceptionEntries.parse(FULL, "velero-backups", RECORD_TIME);

        assertThat(p.error).isNull();
        ExceptionEntry e = p.entry;
        assertThat(e.id).isEqualTo("velero-backups");
        assertThat(e.field).isEqualTo("kubernetes.audit.user.username");
        assertThat(e.operator).isEqualTo("is");
        assertThat(e.values).containsExactly("system:serviceaccount:velero:velero");
        assertThat(e.decision).isEqualTo("allow");
        assertThat(e.expires).isEqualTo(EventTimes.parse("2026-12-31T00:00:00Z"));
        assertThat(e.effective).as("the record's time").isEqualTo(RECORD_TIME);
        assertThat(p.effectiveGiven).isFalse();
        assertThat(e.author).isEqualTo("jane");
        assertThat(e.comment).isEqualTo("nightly backups");
    }

    @Test
    void optionalMembersMayBeAbsentOrNullAndTimesMayBeEpochMillis() {
        ExceptionEntries.Parsed p = ExceptionEntries.parse("{\"id\":\"a\",\"field\":\"user.name\",\"operator\":\"is one of\","
                + "\"values\":[\"x\",\"y\"],\"decision\":null,\"expires\":null,\"effective\":1700000000000,"
                + "\"author\":\"a\",\"comment\":\"c\"}", "a", RECORD_TIME);

        assertThat(p.error).isNull();
        assertThat(p.entry.decision).isNull();
        assertThat(p.entry.expires).isEqualTo(ExceptionEntry.NEVER);
        assertThat(p.entry.effective).isEqualTo(1_700_000_000_000L);
        assertThat(p.effectiveGiven).isTrue();
    }

    @Test
    void aLineOfTheFileHasNoKey() {
        assertThat(ExceptionEntries.parse(FULL, null, RECORD_TIME).ok()).isTrue();
    }

    @Test
    void theJsonFormRoundTrips() {
        ExceptionEntry e = ExceptionEntries.parse(FULL, "velero-backups", RECORD_TIME).entry;
        String json = ExceptionEntries.toJson(e);

        assertThat(json).contains("\"effective\":\"2026-11-02T09:00:00.000Z\"").contains("\"expires\":\"2026-12-31T00:00:00.000Z\"");
        assertThat(ExceptionEntries.parse(json, e.id, 0).entry).isEqualTo(e);
    }

    @Test
    void malformedEntriesAreRefusedWithTheReason() {
        assertRefused("[]", "not a JSON object");
        assertRefused("{\"id\":", "not valid JSON");
        assertRefused("not json", "not valid JSON");
        assertRefused(FULL + " {}", "not a single JSON object");
        assertRefused(FULL.replace("\"expires\"", "\"expire\""), "unknown member 'expire'");
        assertRefused(FULL.replace("\"author\": \"jane\"", "\"author\": \"jane\", \"author\": \"joe\""), "member 'author' repeated");
        java.util.Map<String, String> members = new java.util.LinkedHashMap<>();
        members.put("id", "\"a\"");
        members.put("field", "\"user.name\"");
        members.put("operator", "\"is\"");
        members.put("values", "[\"x\"]");
        members.put("author", "\"jane\"");
        members.put("comment", "\"c\"");
        for (String required : members.keySet()) {
            java.util.List<String> rest = new java.util.ArrayList<>();
            members.forEach((k, v) -> {
                if (!k.equals(required)) {
                    rest.add("\"" + k + "\": " + v);
                }
            });
            assertRefused("{" + String.join(", ", rest) + "}", "member '" + required + "' is required");
        }
        assertRefused(FULL.replace("\"values\": [\"system:serviceaccount:velero:velero\"]", "\"values\": \"x\""),
                "'values' must be an array of strings");
        assertRefused(FULL.replace("[\"system:serviceaccount:velero:velero\"]", "[1]"), "'values' must be an array of strings");
        assertRefused(FULL.replace("[\"system:serviceaccount:velero:velero\"]", "[]"), "'values' must not be empty");
        assertRefused(FULL.replace("[\"system:serviceaccount:velero:velero\"]", "[\"a\", \"b\"]"), "'is' takes exactly one value, got 2");
        assertRefused(FULL.replace("\"operator\": \"is\"", "\"operator\": \"IS\""), "unknown operator 'IS'");
        assertRefused(FULL.replace("\"operator\": \"is\"", "\"operator\": 3"), "'operator' must be a string");
        assertRefused(FULL.replace("kubernetes.audit.user.username", "user.nam"), "unknown field 'user.nam'");
        assertRefused(FULL.replace("\"operator\": \"is\"", "\"operator\": \"ip in cidr\""), "'ip in cidr' applies only to source.ip");
        assertRefused(FULL.replace("\"decision\": \"allow\"", "\"decision\": \"forbid\""), "'decision' may only be allow");
        assertRefused(FULL.replace("2026-12-31T00:00:00Z", "next week"), "'expires': unparsable timestamp 'next week'");
        assertRefused(FULL.replace("\"expires\": \"2026-12-31T00:00:00Z\"", "\"expires\": true"),
                "'expires' must be an ISO-8601 time or epoch milliseconds");
        assertRefused(FULL.replace("\"jane\"", "\" \""), "author must be 1 to 256 characters, not blank");
        assertRefused(FULL.replace("\"nightly backups\"", "\"\""), "comment must be 1 to 4096 characters, not blank");
        assertRefused(FULL.replace("\"velero-backups\"", "\"-velero\""), "id must be 1 to 128 letters");
        assertRefused(FULL.replace("\"velero-backups\"", "\"velero backups\""), "id must be 1 to 128 letters");
        assertRefused(FULL.replace("nightly backups", "x".repeat(70_000)), "longer than 65536 characters");
    }

    @Test
    void theIdMustBeTheRecordKey() {
        ExceptionEntries.Parsed p = ExceptionEntries.parse(FULL, "other-id", RECORD_TIME);

        assertThat(p.error).isEqualTo("id 'velero-backups' differs from the record key 'other-id'");
    }

    @Test
    void valuesAreCheckedForTheirFieldAndOperator() {
        assertThat(parse("source.ip", "ip in cidr", "\"10.0.0.0/8\", \"2001:db8::/32\", \"192.0.2.1\"").error).isNull();
        assertThat(parse("source.ip", "ip in cidr", "\"10.0.0.0/33\"").error).contains("prefix length above 32");
        assertThat(parse("source.ip", "ip in cidr", "\"2001:db8::/129\"").error).contains("prefix length above 128");
        assertThat(parse("source.ip", "ip in cidr", "\"10.0.0.0/\"").error).contains("not a CIDR prefix length");
        assertThat(parse("source.ip", "ip in cidr", "\"10.0.0/8\"").error).contains("not a CIDR block").contains("not an IP address");
        assertThat(parse("source.ip", "ip in cidr", "\"010.0.0.0/8\"").error).contains("not an IP address");
        assertThat(parse("source.ip", "is", "\"db.example.com\"").error).contains("a source.ip value is not an IP address");
        assertThat(parse("source.ip", "is one of", "\"::1\", \"10.0.0.1\"").error).isNull();
        assertThat(parse("user.name", "matches", "\"a*\", \"b*\"").error).isEqualTo("'matches' takes exactly one value, got 2");
        assertThat(parse("user_agent.original", "matches", "\"helm/*\"").error).isNull();
    }

    private static ExceptionEntries.Parsed parse(String field, String operator, String values) {
        return ExceptionEntries.parse("{\"id\":\"t\",\"field\":\"" + field + "\",\"operator\":\"" + operator
                + "\",\"values\":[" + values + "],\"author\":\"a\",\"comment\":\"c\"}", "t", RECORD_TIME);
    }

    private static void assertRefused(String json, String reason) {
        ExceptionEntries.Parsed p = ExceptionEntries.parse(json, null, RECORD_TIME);
        assertThat(p.ok()).as("refused: %s", json).isFalse();
        assertThat(p.error).as("reason for %s", json).startsWith(reason);
    }
}
