package io.secretrecon.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.alert.Alert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads alert documents back into {@link ReferenceDetector#canonical} strings. */
public final class AlertDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertDocuments() {}

    public static List<JsonNode> read(Path ndjson) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(ndjson)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> canonical(Path ndjson) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : read(ndjson)) {
            out.add(canonical(a));
        }
        out.sort(null);
        return out;
    }

    public static String canonical(JsonNode a) {
        JsonNode sr = a.get("secret_recon");
        return ReferenceDetector.canonical(sr.get("mode").asText(), time(a.get("@timestamp")),
                a.at("/user/name").asText(), a.at("/kubernetes/audit/user/username").asText(), a.at("/source/ip").asText(),
                a.at("/user_agent/original").isNull() ? null : a.at("/user_agent/original").asText(),
                a.at("/Esql/unique_credentials").asLong(), strings(a.at("/Esql/secrets_names")),
                strings(a.at("/Esql/namespaces")), strings(a.at("/Esql/outcome")), sr.get("revision").asInt(),
                time(sr.at("/window/start")), time(sr.at("/window/end")), time(sr.get("first_seen")),
                time(sr.get("last_seen")), sr.get("event_count").asLong(), strings(sr.get("audit_ids")));
    }

    public static String canonical(Alert a) {
        return ReferenceDetector.canonical(a.mode, a.timestamp, a.userName, a.auditUserName, a.sourceIp, a.userAgent,
                a.uniqueCredentials, list(a.secretsNames), list(a.namespaces), list(a.outcomes), a.revision,
                a.windowStart, a.windowEnd, a.firstSeen, a.lastSeen, a.eventCount, list(a.auditIds));
    }

    private static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }

    private static long time(JsonNode n) {
        return Instant.parse(n.asText()).toEpochMilli();
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
