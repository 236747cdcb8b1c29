package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretrecon.SecretReconJob;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetterReason;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.io.DeadLetterJson;
import io.secretrecon.io.LineSink;
import io.secretrecon.pipeline.SecretReconPipeline;
import io.secretrecon.pipeline.Sources;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.ElasticsearchAlerts;
import io.secretrecon.testutil.ElasticsearchServer;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real topology into a real Elasticsearch ({@link ElasticsearchServer}, started through
 * {@code scripts/elasticsearch.sh}) on a MiniCluster with parallelism 2: the bundled sample gives
 * exactly the expected documents; a document Elasticsearch rejects goes to the dead-letter output
 * while the rest is written, and a replay changes no document. Failures and outages while alerts
 * stream in: {@link ElasticsearchRecoveryITCase}.
 */
class ElasticsearchSinkITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    private static final Path SAMPLE = Path.of("samples/audit-sample.ndjson");
    private static final Instant START = Instant.parse("2026-11-02T08:00:00Z");

    @RegisterExtension
    static final ElasticsearchServer ES = new ElasticsearchServer();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theBundledSampleGivesExactlyTheExpectedDocumentsAndSourceIpIsSearchedAsAnIp() throws Exception {
        String index = "it-sample";

        Run run = runBounded(SAMPLE, index, "--detector.mode", "continuous");

        List<String> expected = ElasticsearchAlerts.highestRevisions(
                ReferenceDetector.continuous(ReferenceRule.kept(SAMPLE), LOOKBACK, 3, UPDATE));
        assertThat(expected).as("the sample holds attack bursts").hasSizeGreaterThan(3);
        Map<String, JsonNode> docs = ES.documents(index);
        assertThat(ElasticsearchAlerts.canonical(docs)).containsExactlyElementsOf(expected);
        // Whole content: each document is exactly the alert JSON of its highest revision.
        Map<String, JsonNode> highest = highestById(AlertDocuments.read(run.alertFile));
        assertThat(docs.keySet()).containsExactlyInAnyOrderElementsOf(highest.keySet());
        docs.forEach((id, hit) -> {
            assertThat(hit.get("_source")).as(id).isEqualTo(highest.get(id));
            assertThat(hit.at("/_source/kibana/alert/uuid").asText()).isEqualTo(id);
            assertThat(hit.get("_version").asLong()).as("external version = revision")
                    .isEqualTo(hit.at("/_source/secret_recon/revision").asLong());
        });
        assertThat(Files.readAllLines(run.deadLetterFile)).isEmpty();

        // source.ip is an ip field: a CIDR term query matches by address range, not by text.
        long matched = 0;
        for (String cidr : List.of("10.0.0.0/8", "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "2001:db8::/32")) {
            long expectedInRange = countIn(docs, cidr);
            assertThat(ES.count(index, "{\"term\":{\"source.ip\":\"" + cidr + "\"}}")).as(cidr).isEqualTo(expectedInRange);
            matched += expectedInRange;
        }
        assertThat(matched).as("the ranges hold some alerts").isPositive();
        JsonNode mapping = ES.ok("GET", "/" + index + "/_mapping", null).at("/" + index + "/mappings");
        assertThat(mapping.at("/properties/source/properties/ip/type").asText()).isEqualTo("ip");
        assertThat(mapping.at("/dynamic").asText()).isEqualTo("false");
    }

    /**
     * Early alerts' versions against the real server: a provisional alert (version 0) is replaced
     * by its revision 1, or by its withdrawal (version 1); a provisional alert written again later
     * (a replay) is a version conflict and changes neither.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aProvisionalAlertGivesWayToItsRevisionOneOrItsWithdrawalAndAReplayOfItChangesNothing() throws Exception {
        String index = "it-early";
        ES.ok("PUT", "/_index_template/it-early", ElasticsearchIndex.templateJson(index));
        Alert confirmedLater = early("early-1", Alert.PROVISIONAL, 0);
        Alert withdrawnLater = early("early-2", Alert.PROVISIONAL, 0);
        JsonNode first = ES.ok("POST", "/_bulk", bulk(index, confirmedLater, withdrawnLater));
        assertThat(first.get("errors").asBoolean()).as("%s", first).isFalse();

        JsonNode second = ES.ok("POST", "/_bulk",
                bulk(index, early("early-1", null, 1), early("early-2", Alert.WITHDRAWN, 0)));
        assertThat(second.get("errors").asBoolean()).as("%s", second).isFalse();

        JsonNode replay = ES.ok("POST", "/_bulk", bulk(index, confirmedLater, withdrawnLater));
        assertThat(replay.at("/items")).allSatisfy(i -> assertThat(i.at("/index/status").asInt()).isEqualTo(409));

        Map<String, JsonNode> docs = ES.documents(index);
        assertThat(docs.get("early-1").get("_version").asLong()).isEqualTo(1);
        assertThat(docs.get("early-1").at("/_source/secret_recon/revision").asInt()).isEqualTo(1);
        assertThat(docs.get("early-1").at("/_source/secret_recon/status").isMissingNode()).isTrue();
        assertThat(docs.get("early-2").get("_version").asLong()).isEqualTo(1);
        assertThat(docs.get("early-2").at("/_source/secret_recon/status").asText()).isEqualTo(Alert.WITHDRAWN);
        assertThat(ES.count(index, "{\"term\":{\"secret_recon.status\":\"withdrawn\"}}")).isEqualTo(1);
        ES.ok("DELETE", "/_index_template/it-early", null);
    }

    private static Alert early(String id, String status, int revision) {
        Alert a = ElasticsearchIndexTest.fullAlert();
        a.id = id;
        a.status = status;
        a.revision = revision;
        return a;
    }

    private static String bulk(String index, Alert... alerts) {
        List<BulkDocument> docs = new ArrayList<>();
        for (Alert a : alerts) {
            docs.add(BulkDocument.of(index, a));
        }
        return new String(BulkDocument.body(docs), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anAlertElasticsearchRejectsIsDeadLetteredWhileTheRestIsWrittenAndAReplayChangesNoDocument() throws Exception {
        String index = "it-rejected";
        // An administrator's template that wins over ours (higher priority) and indexes
        // user_agent.original without ignore_above: a 40 kB user agent (kept whole: the field-length
        // bound is raised for this test) is an "immense term".
        ObjectNode strict = (ObjectNode) JSON.readTree(ElasticsearchIndex.templateJson(index));
        strict.put("priority", 500);
        strict.putArray("index_patterns").add(index);
        ((ObjectNode) strict.at("/template/mappings/properties/user_agent/properties/original")).remove("ignore_above");
        ES.ok("PUT", "/_index_template/it-strict-user-agent", strict.toString());

        Path input = tmp.resolve("three-scanners.log");
        List<String> lines = new ArrayList<>();
        lines.addAll(burst("alice", "10.9.0.1", "kubectl/v1.31.0", 0));
        lines.addAll(burst("mallory", "203.0.113.66", "A".repeat(40_000), 1));
        lines.addAll(burst("bob", "10.9.0.2", "python-requests/2.31", 2));
        Files.write(input, lines);

        Run first = runBounded(input, index, "--detector.mode", "windows", "--detector.max-field-length", "100000");

        Map<String, JsonNode> docs = ES.documents(index);
        assertThat(docs.values()).extracting(h -> h.at("/_source/user/name").asText()).containsOnly("alice", "bob").isNotEmpty();
        List<JsonNode> dead = AlertDocuments.read(first.deadLetterFile);
        assertThat(dead).isNotEmpty().allSatisfy(d -> {
            assertThat(d.get("reason").asText()).isEqualTo(DeadLetterReason.REJECTED.wireName());
            assertThat(d.get("detail").asText()).contains("HTTP 400").contains("user_agent.original").contains("immense");
            JsonNode alert = JSON.readTree(d.get("record").asText().isEmpty() ? "{}" : d.get("record").asText());
            assertThat(alert.at("/user/name").asText()).isEqualTo("mallory");
        });
        int malloryAlerts = (int) AlertDocuments.read(first.alertFile).stream()
                .filter(a -> a.at("/user/name").asText().equals("mallory")).count();
        assertThat(dead).hasSize(malloryAlerts);

        Run replay = runBounded(input, index, "--detector.mode", "windows", "--detector.max-field-length", "100000");

        Map<String, JsonNode> after = ES.documents(index);
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(docs.keySet());
        after.forEach((id, hit) -> {
            JsonNode before = docs.get(id);
            assertThat(hit.get("_version")).as("_version of %s", id).isEqualTo(before.get("_version"));
            assertThat(hit.get("_seq_no")).as("_seq_no of %s", id).isEqualTo(before.get("_seq_no"));
            assertThat(hit.get("_primary_term")).isEqualTo(before.get("_primary_term"));
            assertThat(hit.get("_source")).isEqualTo(before.get("_source"));
        });
        assertThat(AlertDocuments.read(replay.deadLetterFile)).hasSize(malloryAlerts);
        ES.ok("DELETE", "/_index_template/it-strict-user-agent", null);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void anExistingIndexThatMapsSourceIpAsTextStopsStartUpNamingTheIndexAndTheField() {
        String index = "it-conflict";
        ES.ok("PUT", "/" + index, "{\"mappings\":{\"properties\":{\"source\":{\"properties\":{\"ip\":{\"type\":\"text\"}}},"
                + "\"user\":{\"properties\":{\"name\":{\"type\":\"keyword\"}}}}}}");

        assertThatThrownBy(() -> ElasticsearchIndex.ensureTemplate(sinkSettings(index)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("elasticsearch.index: the existing index it-conflict maps source.ip as text (the alerts need ip)");
        assertThat(ES.request("GET", "/" + index + "/_mapping", null).body()
                .at("/" + index + "/mappings/properties/Esql").isMissingNode())
                .as("nothing is added to an index that conflicts").isTrue();

        String compatible = "it-compatible";
        ES.ok("PUT", "/" + compatible, "{\"mappings\":{\"properties\":{\"source\":{\"properties\":{\"ip\":{\"type\":\"ip\"}}}}}}");
        assertThatCode(() -> ElasticsearchIndex.ensureTemplate(sinkSettings(compatible))).doesNotThrowAnyException();
        assertThat(ES.ok("GET", "/" + compatible + "/_mapping", null)
                .at("/" + compatible + "/mappings/properties/secret_recon/properties/revision/type").asText())
                .as("the alert fields an existing index lacks are added").isEqualTo("long");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aTemplateAnOlderReleaseInstalledIsReplacedAndSomebodyElsesIsLeftAlone() throws Exception {
        String ours = "it-older-template";
        ES.ok("PUT", "/_index_template/" + ours, ElasticsearchIndex.templateJson(ours)
                .replace("\"version\":" + ElasticsearchIndex.TEMPLATE_VERSION, "\"version\":1")
                .replace(",\"unique_credentials_lower_bound\":{\"type\":\"boolean\"}", ""));
        String foreign = "it-foreign-template";
        ES.ok("PUT", "/_index_template/" + foreign, "{\"index_patterns\":[\"" + foreign + "\"],\"version\":1,"
                + "\"template\":{\"mappings\":{\"dynamic\":false}}}");

        ElasticsearchIndex.ensureTemplate(sinkSettings(ours));
        ElasticsearchIndex.ensureTemplate(sinkSettings(foreign));

        JsonNode replaced = ES.ok("GET", "/_index_template/" + ours, null).at("/index_templates/0/index_template");
        assertThat(replaced.at("/version").asInt()).isEqualTo(ElasticsearchIndex.TEMPLATE_VERSION);
        assertThat(replaced.at("/template/mappings/properties/secret_recon/properties/unique_credentials_lower_bound/type")
                .asText()).isEqualTo("boolean");
        JsonNode kept = ES.ok("GET", "/_index_template/" + foreign, null).at("/index_templates/0/index_template");
        assertThat(kept.at("/version").asInt()).isEqualTo(1);
        assertThat(kept.at("/template/mappings/properties").isMissingNode()).isTrue();
        ES.ok("DELETE", "/_index_template/" + ours, null);
        ES.ok("DELETE", "/_index_template/" + foreign, null);
    }

    // ------------------------------------------------------------------ scenario

    /** Four secret GETs of one client within a minute, as ECS documents. */
    private static List<String> burst(String user, String ip, String agent, int minute) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            WorkloadGenerator.Event e = new WorkloadGenerator.Event();
            e.received = START.plus(Duration.ofMinutes(minute)).plusSeconds(10L * i).toEpochMilli();
            e.verb = "get";
            e.user = user;
            e.sourceIps = List.of(ip);
            e.userAgent = agent;
            e.resource = "secrets";
            e.namespace = "prod";
            e.name = user + "-secret-" + i;
            e.auditId = user + "-" + i;
            out.add(WorkloadGenerator.ecs(e, 0, i % 3));
        }
        return out;
    }

    // ------------------------------------------------------------------ jobs

    /** A bounded run (BATCH mode) of the real topology with the Elasticsearch writer on its alerts. */
    private Run runBounded(Path input, String index, String... overrides) throws Exception {
        Path out = Files.createTempDirectory(tmp, "run");
        List<String> args = new ArrayList<>(List.of("--source.type", "file", "--source.path", input.toString()));
        args.addAll(List.of(overrides));
        JobSettings settings = SecretReconJob.loadSettings(args.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        Run run = new Run(out.resolve("alerts.ndjson"), out.resolve("dead-letters.ndjson"));
        wire(env, Sources.of(settings), settings, sinkSettings(index), run);
        env.execute("elasticsearch-itcase");
        return run;
    }

    private static ElasticsearchSettings sinkSettings(String index) {
        return sinkSettings(ES, index);
    }

    /** Small bulks and short waits, so that a test exercises several bulks and recovers quickly. */
    static ElasticsearchSettings sinkSettings(ElasticsearchServer es, String index) {
        return ElasticsearchSettings.from(es.sinkSettings(index,
                "elasticsearch.bulk.max-actions", "50",
                "elasticsearch.bulk.flush-interval", "200ms",
                "elasticsearch.retry.max-backoff", "2s"));
    }

    /** The pipeline, the writer on its alerts, and files for the alerts and every dead letter (rejected ones included). */
    static void wire(StreamExecutionEnvironment env, Source<ParsedRecord, ?, ?> source, JobSettings settings,
            ElasticsearchSettings es, Run run) throws IOException {
        wire(env, source, settings, es, run, null);
    }

    /** {@link #wire} with an operator between the detector and the writer (fault injection). */
    static void wire(StreamExecutionEnvironment env, Source<ParsedRecord, ?, ?> source, JobSettings settings,
            ElasticsearchSettings es, Run run, MapFunction<Alert, Alert> beforeWriter) throws IOException {
        ElasticsearchIndex.ensureTemplate(es); // what the job's main does at start-up
        SecretReconPipeline.Streams out = SecretReconPipeline.build(env, source, settings);
        DataStream<Alert> alerts = out.alerts();
        if (beforeWriter != null) {
            alerts = alerts.map(beforeWriter).uid("it-before-writer").name("Fault injection");
        }
        DataStream<DeadLetter> rejected = ElasticsearchAlertSink.attach(alerts, es, "Alerts to Elasticsearch").uid("it-elasticsearch-writer");
        alerts.map(AlertJson::toJson, Types.STRING).uid("it-alert-json").name("Alert JSON")
                .sinkTo(LineSink.toFile(run.alertFile.toString())).uid("it-alert-file").name("Alerts to a file").setParallelism(1);
        out.deadLetters().union(rejected)
                .map(DeadLetterJson::toJson, Types.STRING).uid("it-dead-letter-json").name("Dead-letter JSON")
                .sinkTo(LineSink.toFile(run.deadLetterFile.toString())).uid("it-dead-letter-file").name("Dead letters to a file")
                .setParallelism(1);
    }

    record Run(Path alertFile, Path deadLetterFile) {}

    // ------------------------------------------------------------------ checks

    private static Map<String, JsonNode> highestById(List<JsonNode> alerts) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode a : alerts) {
            String id = a.at("/kibana/alert/uuid").asText();
            JsonNode seen = out.get(id);
            if (seen == null || seen.at("/secret_recon/revision").asInt() < a.at("/secret_recon/revision").asInt()) {
                out.put(id, a);
            }
        }
        return out;
    }

    private static long countIn(Map<String, JsonNode> docs, String cidr) throws IOException {
        byte[] net = InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))).getAddress();
        int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        long n = 0;
        for (JsonNode hit : docs.values()) {
            byte[] ip = InetAddress.getByName(hit.at("/_source/source/ip").asText()).getAddress();
            if (ip.length == net.length && samePrefix(ip, net, prefix)) {
                n++;
            }
        }
        return n;
    }

    private static boolean samePrefix(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
