package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretrecon.SecretReconJob;
import io.secretrecon.alert.Alert;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.io.DeadLetterJson;
import io.secretrecon.io.LineSink;
import io.secretrecon.pipeline.SecretReconPipeline;
import io.secretrecon.pipeline.Sources;
import io.secretrecon.testutil.ElasticsearchAlerts;
import io.secretrecon.testutil.ElasticsearchServer;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Elasticsearch with security on ({@code ES_SECURITY=true}: basic auth for {@code elastic} with
 * the password {@code scripts/elasticsearch.sh} generated): the job writes with the right
 * credentials, and wrong or missing ones stop it at start-up with a message that names the key
 * and never the password.
 */
class ElasticsearchSecurityITCase {

    private static final Path SAMPLE = Path.of("samples/audit-sample.ndjson");

    @RegisterExtension
    static final ElasticsearchServer ES = ElasticsearchServer.secured();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void withBasicAuthTheSampleIsWritten() throws Exception {
        assertThat(ES.password()).as("the script generated a password").isNotBlank();
        assertThat(ES.request("GET", "/_cluster/health", null, null).status()).as("anonymous").isEqualTo(401);
        String index = "it-secured";
        ElasticsearchSettings es = ElasticsearchSettings.from(ES.sinkSettings(index, "elasticsearch.bulk.flush-interval", "200ms"));
        ElasticsearchIndex.ensureTemplate(es);

        JobSettings settings = SecretReconJob.loadSettings(new String[] {"--source.type", "file", "--source.path", SAMPLE.toString()});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        SecretReconPipeline.Streams out = SecretReconPipeline.build(env, Sources.of(settings), settings);
        DataStream<Alert> alerts = out.alerts();
        Path deadLetters = tmp.resolve("dead-letters.ndjson");
        DataStream<DeadLetter> rejected = ElasticsearchAlertSink.attach(alerts, es, "Alerts to Elasticsearch").uid("it-elasticsearch-writer");
        out.deadLetters().union(rejected).map(DeadLetterJson::toJson, Types.STRING).uid("it-dead-letter-json")
                .sinkTo(LineSink.toFile(deadLetters.toString())).uid("it-dead-letter-file").setParallelism(1);
        env.execute("elasticsearch-security-itcase");

        Map<String, JsonNode> docs = ES.documents(index);
        List<String> expected = ElasticsearchAlerts.highestRevisions(ReferenceDetector.continuous(ReferenceRule.kept(SAMPLE),
                Duration.ofMinutes(6).toMillis(), 3, Duration.ofMinutes(1).toMillis()));
        assertThat(ElasticsearchAlerts.canonical(docs)).containsExactlyElementsOf(expected);
        assertThat(Files.readAllLines(deadLetters)).isEmpty();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void wrongOrMissingCredentialsStopTheJobAtStartUpWithoutShowingThePassword() {
        String wrong = "not-" + ES.password();
        ElasticsearchSettings badPassword = ElasticsearchSettings.from(Map.of(
                "elasticsearch.hosts", ES.url(), "elasticsearch.username", "elastic", "elasticsearch.password", wrong));
        assertThatThrownBy(() -> ElasticsearchIndex.ensureTemplate(badPassword))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("elasticsearch.username: ")
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("basic auth as elastic")
                .message().doesNotContain(wrong).doesNotContain(ES.password());

        ElasticsearchSettings anonymous = ElasticsearchSettings.from(Map.of("elasticsearch.hosts", ES.url()));
        assertThatThrownBy(() -> ElasticsearchIndex.ensureTemplate(anonymous))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageStartingWith("elasticsearch.username: ")
                .hasMessageContaining("no credentials")
                .hasMessageContaining("it needs credentials");
    }
}
