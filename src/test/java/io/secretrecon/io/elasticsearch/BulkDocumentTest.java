package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BulkDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAlertIsAnIndexActionWithItsIdAndRevisionAsExternalVersion() throws Exception {
        Alert alert = ElasticsearchIndexTest.fullAlert();
        alert.userAgent = "evil\nagent \"quoted\"";
        BulkDocument doc = BulkDocument.of("alerts-k8s-secret-recon", alert);

        String[] lines = new String(doc.ndjson, StandardCharsets.UTF_8).split("\n", -1);
        assertThat(lines).hasSize(3);
        assertThat(lines[2]).as("ends with a newline").isEmpty();
        JsonNode action = JSON.readTree(lines[0]);
        assertThat(action.fieldNames()).toIterable().containsExactly("index");
        assertThat(action.at("/index/_index").asText()).isEqualTo("alerts-k8s-secret-recon");
        assertThat(action.at("/index/_id").asText()).isEqualTo(alert.id);
        assertThat(action.at("/index/version").asLong()).isEqualTo(3);
        assertThat(action.at("/index/version_type").asText()).isEqualTo("external");
        assertThat(JSON.readTree(lines[1])).isEqualTo(JSON.readTree(AlertJson.toJson(alert)));
        assertThat(JSON.readTree(lines[1]).at("/user_agent/original").asText()).isEqualTo("evil\nagent \"quoted\"");
        assertThat(doc.size()).isEqualTo(doc.ndjson.length);
    }

    @Test
    void aBodyIsTheDocumentsInOrder() {
        BulkDocument a = BulkDocument.of("i", "a", 1, "{\"x\":1}");
        BulkDocument b = BulkDocument.of("i", "b", 2, "{\"x\":2}");

        assertThat(new String(BulkDocument.body(List.of(a, b)), StandardCharsets.UTF_8)).isEqualTo(
                "{\"index\":{\"_index\":\"i\",\"_id\":\"a\",\"version\":1,\"version_type\":\"external\"}}\n{\"x\":1}\n"
                        + "{\"index\":{\"_index\":\"i\",\"_id\":\"b\",\"version\":2,\"version_type\":\"external\"}}\n{\"x\":2}\n");
    }

    @Test
    void withoutIdOrRevisionThereIsNoIdempotentWrite() {
        assertThatThrownBy(() -> BulkDocument.of("i", null, 1, "{}")).hasMessageContaining("without an id");
        assertThatThrownBy(() -> BulkDocument.of("i", "a", -1, "{}")).hasMessageContaining("version -1");
    }

    @Test
    void aProvisionalAlertIsVersionZeroAndItsWithdrawalVersionOne() {
        Alert a = new Alert();
        a.id = "x";
        a.mode = "continuous";
        a.status = Alert.PROVISIONAL;
        assertThat(BulkDocument.of("i", a).version).isZero();
        a.status = Alert.WITHDRAWN;
        assertThat(BulkDocument.of("i", a).version).isEqualTo(1);
        a.status = null;
        a.revision = 4;
        assertThat(BulkDocument.of("i", a).version).isEqualTo(4);
    }
}
