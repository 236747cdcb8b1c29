package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class ElasticsearchIndexTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTemplateMapsEveryFieldOfTheAlertDocumentAndNothingElse() throws Exception {
        JsonNode template = JSON.readTree(ElasticsearchIndex.templateJson("alerts-k8s-secret-recon"));

        assertThat(template.get("index_patterns").toString()).isEqualTo("[\"alerts-k8s-secret-recon\",\"alerts-k8s-secret-recon-*\"]");
        assertThat(template.at("/template/mappings/dynamic").asBoolean(true)).isFalse();
        Map<String, String> mapped = new LinkedHashMap<>();
        leaves(template.at("/template/mappings/properties"), "", mapped);
        assertThat(mapped).isEqualTo(ElasticsearchIndex.FIELDS);

        List<String> documentFields = new ArrayList<>();
        documentLeaves(JSON.readTree(AlertJson.toJson(fullAlert())), "", documentFields);
        assertThat(new TreeSet<>(documentFields)).isEqualTo(new TreeSet<>(ElasticsearchIndex.FIELDS.keySet()));
    }

    @Test
    void theTypesAreTheEcsOnes() throws Exception {
        JsonNode p = JSON.readTree(ElasticsearchIndex.templateJson("a")).at("/template/mappings/properties");

        assertThat(p.at("/source/properties/ip/type").asText()).isEqualTo("ip");
        assertThat(p.at("/@timestamp/type").asText()).isEqualTo("date");
        assertThat(p.at("/event/properties/created/type").asText()).isEqualTo("date");
        assertThat(p.at("/user/properties/name/type").asText()).isEqualTo("keyword");
        assertThat(p.at("/user/properties/name/ignore_above").asInt()).isEqualTo(1024);
        assertThat(p.at("/Esql/properties/unique_credentials/type").asText()).isEqualTo("long");
        assertThat(p.at("/Esql/properties/secrets_names/type").asText()).isEqualTo("keyword");
        assertThat(p.at("/secret_recon/properties/revision/type").asText()).isEqualTo("long");
        assertThat(p.at("/secret_recon/properties/window/properties/start/type").asText()).isEqualTo("date");
        assertThat(p.at("/kibana/properties/alert/properties/uuid/type").asText()).isEqualTo("keyword");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anExistingIndexWithAnotherTypeForAnAlertFieldIsAConflictAndAMissingFieldIsNot() throws Exception {
        String existing = "{\"properties\":{"
                + "\"source\":{\"properties\":{\"ip\":{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\"}}}}},"
                + "\"user\":{\"properties\":{\"name\":{\"type\":\"wildcard\"}}},"
                + "\"kubernetes\":{\"properties\":{\"audit\":{\"type\":\"keyword\"}}},"
                + "\"secret_recon.revision\":{\"type\":\"integer\"},"
                + "\"@timestamp\":{\"type\":\"date_nanos\"}}}";
        Map<String, Object> mappings = (Map<String, Object>) JsonTree.parse(existing.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<String> conflicts = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>();

        ElasticsearchIndex.compare(mappings, conflicts, missing);

        assertThat(conflicts).containsExactly(
                "kubernetes.audit.user.username as a keyword field at kubernetes.audit (the alerts need keyword)",
                "source.ip as text (the alerts need ip)");
        assertThat(missing).containsKey("Esql.secrets_names").doesNotContainKeys("source.ip", "user.name", "secret_recon.revision", "@timestamp");
    }

    @Test
    void onlyAnOlderTemplateThatSecretReconInstalledIsReplaced() throws Exception {
        Object older = JsonTree.parse(answerWith(ElasticsearchIndex.templateJson("a")
                .replace("\"version\":" + ElasticsearchIndex.TEMPLATE_VERSION, "\"version\":1")));
        Object current = JsonTree.parse(answerWith(ElasticsearchIndex.templateJson("a")));
        Object foreign = JsonTree.parse(answerWith("{\"index_patterns\":[\"a\"],\"version\":1,\"template\":{}}"));
        Object newer = JsonTree.parse(answerWith(ElasticsearchIndex.templateJson("a")
                .replace("\"version\":" + ElasticsearchIndex.TEMPLATE_VERSION, "\"version\":99")));

        assertThat(ElasticsearchIndex.olderManagedVersion(older)).isEqualTo(1);
        assertThat(ElasticsearchIndex.olderManagedVersion(current)).isNull();
        assertThat(ElasticsearchIndex.olderManagedVersion(foreign)).as("somebody else's template").isNull();
        assertThat(ElasticsearchIndex.olderManagedVersion(newer)).as("a later release's").isNull();
    }

    /** What {@code GET _index_template/NAME} answers for one template. */
    private static byte[] answerWith(String template) {
        return ("{\"index_templates\":[{\"name\":\"a\",\"index_template\":" + template + "}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An alert with every field set. */
    static Alert fullAlert() {
        long t = Instant.parse("2026-11-02T08:06:00Z").toEpochMilli();
        Alert a = new Alert();
        a.id = "0b6c9a52-6f1d-5b8e-9a51-2a1f4f3c2d10";
        a.timestamp = t;
        a.created = t + 5;
        a.userName = "system:serviceaccount:ci:deployer";
        a.auditUserName = a.userName;
        a.sourceIp = "10.1.2.3";
        a.userAgent = "kubectl/v1.31.0";
        a.uniqueCredentials = 3;
        a.secretsNames = new String[] {"db", "api", "tls"};
        a.namespaces = new String[] {"prod"};
        a.outcomes = new String[] {"allow"};
        a.mode = "continuous";
        a.revision = 3;
        a.windowStart = t - 60_000;
        a.windowEnd = t;
        a.firstSeen = t - 60_000;
        a.lastSeen = t;
        a.eventCount = 4;
        a.auditIds = new String[] {"a1", "a2", "a3", "a4"};
        a.valuesTruncated = true;
        a.uniqueCredentialsLowerBound = true;
        a.status = Alert.PROVISIONAL;
        return a;
    }

    private static void leaves(JsonNode properties, String prefix, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().has("properties")) {
                leaves(e.getValue().get("properties"), prefix + e.getKey() + ".", out);
            } else {
                out.put(prefix + e.getKey(), e.getValue().get("type").asText());
            }
        }
    }

    private static void documentLeaves(JsonNode node, String prefix, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                documentLeaves(e.getValue(), prefix + e.getKey() + ".", out);
            } else {
                out.add(prefix + e.getKey());
            }
        }
    }
}
