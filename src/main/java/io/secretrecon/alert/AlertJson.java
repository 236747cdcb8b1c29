package io.secretrecon.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.event.EventTimes;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The alert document (SPEC §6): ECS-style names, dotted keys written as nested objects, times as
 * ISO-8601 UTC with milliseconds, nulls written out where the group value is null.
 */
public final class AlertJson {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private AlertJson() {}

    public static String toJson(Alert a) {
        StringWriter w = new StringWriter(1024);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", EventTimes.format(a.timestamp));
            g.writeObjectFieldStart("event");
            g.writeStringField("kind", "alert");
            g.writeStringField("created", EventTimes.format(a.created));
            g.writeEndObject();

            g.writeObjectFieldStart("user");
            g.writeStringField("name", a.userName);
            g.writeEndObject();
            g.writeObjectFieldStart("kubernetes");
            g.writeObjectFieldStart("audit");
            g.writeObjectFieldStart("user");
            g.writeStringField("username", a.auditUserName);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("source");
            g.writeStringField("ip", a.sourceIp);
            g.writeEndObject();
            g.writeObjectFieldStart("user_agent");
            g.writeStringField("original", a.userAgent);
            g.writeEndObject();

            g.writeObjectFieldStart("Esql");
            g.writeNumberField("unique_credentials", a.uniqueCredentials);
            list(g, "secrets_names", a.secretsNames);
            list(g, "namespaces", a.namespaces);
            list(g, "outcome", a.outcomes);
            g.writeEndObject();

            g.writeObjectFieldStart("kibana");
            g.writeObjectFieldStart("alert");
            g.writeStringField("uuid", a.id);
            g.writeObjectFieldStart("rule");
            g.writeStringField("name", RuleMetadata.RULE_NAME);
            g.writeStringField("rule_id", RuleMetadata.RULE_ID);
            g.writeEndObject();
            g.writeStringField("severity", RuleMetadata.SEVERITY);
            g.writeNumberField("risk_score", RuleMetadata.RISK_SCORE);
            g.writeEndObject();
            g.writeEndObject();

            g.writeObjectFieldStart("threat");
            g.writeStringField("framework", RuleMetadata.THREAT_FRAMEWORK);
            g.writeObjectFieldStart("tactic");
            g.writeStringField("id", RuleMetadata.TACTIC_ID);
            g.writeStringField("name", RuleMetadata.TACTIC_NAME);
            g.writeEndObject();
            g.writeObjectFieldStart("technique");
            g.writeStringField("id", RuleMetadata.TECHNIQUE_ID);
            g.writeStringField("name", RuleMetadata.TECHNIQUE_NAME);
            g.writeObjectFieldStart("subtechnique");
            g.writeStringField("id", RuleMetadata.SUBTECHNIQUE_ID);
            g.writeStringField("name", RuleMetadata.SUBTECHNIQUE_NAME);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();

            g.writeObjectFieldStart("secret_recon");
            g.writeStringField("mode", a.mode);
            g.writeNumberField("revision", a.revision);
            if (a.status != null) {
                g.writeStringField("status", a.status);
            }
            g.writeObjectFieldStart("window");
            g.writeStringField("start", EventTimes.format(a.windowStart));
            g.writeStringField("end", EventTimes.format(a.windowEnd));
            g.writeEndObject();
            g.writeStringField("first_seen", EventTimes.format(a.firstSeen));
            g.writeStringField("last_seen", EventTimes.format(a.lastSeen));
            g.writeNumberField("event_count", a.eventCount);
            list(g, "audit_ids", a.auditIds);
            if (a.valuesTruncated) {
                g.writeBooleanField("values_truncated", true);
            }
            if (a.uniqueCredentialsLowerBound) {
                g.writeBooleanField("unique_credentials_lower_bound", true);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * At least the UTF-8 bytes that {@link #toJson} spends on {@code value} as one element of a
     * list: the value as JSON escapes it, its quotes and a comma. Exact for text without control
     * characters (each counted as a six-byte escape, though some take two).
     */
    public static long listElementBytes(String value) {
        long n = 3;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20) {
                n += 6;
            } else if (c == '"' || c == '\\') {
                n += 2;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                n += 2; // a surrogate pair is four bytes; an unpaired one is written as one
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void list(JsonGenerator g, String name, String[] values) throws IOException {
        if (values == null || values.length == 0) {
            g.writeNullField(name);
            return;
        }
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
