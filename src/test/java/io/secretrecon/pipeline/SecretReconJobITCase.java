package io.secretrecon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import io.secretrecon.testutil.ThreadDumpOnTimeout;
import io.secretrecon.tools.WorkloadGenerator;
import io.secretrecon.tools.WorkloadGenerator.Format;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job (real file source, real file sinks, the real topology) on a MiniCluster with
 * parallelism 2, compared alert by alert with the reference implementation.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(ThreadDumpOnTimeout.class)
class SecretReconJobITCase {

    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long SLIDE = Duration.ofMinutes(5).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    private static final Path SAMPLE = Path.of("samples/audit-sample.ndjson");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void theBundledSampleGivesExactlyTheReferenceIncidents() throws Exception {
        Run run = run(SAMPLE, "--detector.mode", "continuous");

        List<String> expected = ReferenceDetector.continuous(ReferenceRule.kept(SAMPLE), LOOKBACK, 3, UPDATE);
        assertThat(expected).as("the sample holds attack bursts").hasSizeGreaterThan(5);
        assertThat(run.alerts()).containsExactlyElementsOf(expected);
        assertThat(run.deadLetters()).isEmpty();
    }

    @Test
    void theBundledSampleInWindowsModeGivesExactlyTheRowsOfTheScheduledRule() throws Exception {
        Run run = run(SAMPLE, "--detector.mode", "windows");

        List<String> expected = ReferenceDetector.windows(ReferenceRule.kept(SAMPLE), LOOKBACK, SLIDE, 0, 3);
        assertThat(expected).isNotEmpty();
        assertThat(run.alerts()).containsExactlyElementsOf(expected);
    }

    @Test
    void rotatedLogsOfSeveralApiServersGiveTheSameAlertsAsOneFile() throws Exception {
        List<WorkloadGenerator.Event> events = generate(11);
        Path one = tmp.resolve("one.log");
        Path dir = tmp.resolve("rotated");
        new WorkloadGenerator(1, 0, 0).write(events, one, 1, Format.MIXED, false, 0);
        new WorkloadGenerator(2, 0, 0).write(events, dir, 4, Format.MIXED, true, 0);

        Run single = run(one, "--detector.mode", "continuous");
        Run split = run(dir, "--detector.mode", "continuous");

        assertThat(single.alerts()).isNotEmpty();
        assertThat(split.alerts()).containsExactlyElementsOf(single.alerts());
        assertThat(split.ids()).as("deterministic alert ids").containsExactlyElementsOf(single.ids());
        assertThat(single.alerts())
                .containsExactlyElementsOf(ReferenceDetector.continuous(ReferenceRule.kept(one), LOOKBACK, 3, UPDATE));
    }

    @Test
    void theSameEventsAsEcsDocumentsAndAsRawAuditEventsGiveTheSameAlerts() throws Exception {
        List<WorkloadGenerator.Event> events = generate(23);
        Path ecs = tmp.resolve("ecs.log");
        Path raw = tmp.resolve("raw.log");
        new WorkloadGenerator(3, 0, 0).write(events, ecs, 1, Format.ECS, false, 0);
        new WorkloadGenerator(3, 0, 0).write(events, raw, 1, Format.RAW, false, 0);

        for (String mode : new String[] {"continuous", "windows"}) {
            Run fromEcs = run(ecs, "--detector.mode", mode);
            Run fromRaw = run(raw, "--detector.mode", mode);
            assertThat(fromEcs.alerts()).as(mode).isNotEmpty().containsExactlyElementsOf(fromRaw.alerts());
        }
    }

    @Test
    void streamingOverATimeOrderedLogGivesTheSameAlertsAsBatch() throws Exception {
        List<WorkloadGenerator.Event> events = generate(31);
        Path log = tmp.resolve("ordered.log");
        new WorkloadGenerator(4, 0, 0).write(events, log, 1, Format.MIXED, false, 0);

        Run batch = run(log, "--detector.mode", "continuous");
        Run streaming = run(log, "--detector.mode", "continuous", "--flink.execution.runtime-mode", "STREAMING");

        assertThat(streaming.deadLetters()).isEmpty();
        assertThat(streaming.alerts()).isNotEmpty().containsExactlyElementsOf(batch.alerts());
    }

    @Test
    void badRecordsAreDeadLetteredWithTheirLineAndTheRestIsDetected() throws Exception {
        List<WorkloadGenerator.Event> events = generate(41);
        Path log = tmp.resolve("dirty.log");
        new WorkloadGenerator(5, 0, 0).write(events, log, 1, Format.RAW, false, 0);
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        Path clean = tmp.resolve("clean.log");
        Files.write(clean, lines);
        String secret = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk";
        lines.add(3, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\""); // truncated JSON
        lines.add(7, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\",\"sourceIPs\":[\"10.0.0.300\"],"
                + "\"requestReceivedTimestamp\":\"2026-11-02T08:00:00Z\",\"responseObject\":{\"data\":{\"password\":\"" + secret + "\"}}}");
        lines.add(9, "{\"@timestamp\":\"yesterday\",\"event\":{\"dataset\":\"kubernetes.audit_logs\"}}");
        lines.add(11, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"requestReceivedTimestamp\":\"2026-11-02T08:00:00Z\","
                + "\"requestObject\":{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}");
        lines.add(13, "\u00ff\u00fe not json at all");
        Files.write(log, lines, StandardCharsets.UTF_8);

        Run dirty = run(log, "--detector.mode", "continuous", "--source.max-record-size", "1mb");
        Run reference = run(clean, "--detector.mode", "continuous");

        assertThat(dirty.alerts()).isNotEmpty().containsExactlyElementsOf(reference.alerts());
        List<JsonNode> dead = dirty.deadLetterDocuments();
        assertThat(dead).extracting(d -> d.at("/source/line").asLong()).containsExactlyInAnyOrder(4L, 8L, 10L, 12L, 14L);
        assertThat(dead).extracting(d -> d.get("reason").asText())
                .containsExactlyInAnyOrder("malformed", "malformed", "malformed", "too-large", "malformed");
        assertThat(dead).allSatisfy(d -> assertThat(d.at("/source/file").asText()).endsWith("dirty.log"));
        assertThat(Files.readString(dirty.deadLetterFile)).doesNotContain(secret);
        assertThat(dead).allSatisfy(d -> assertThat(d.get("record").asText().length()).isLessThanOrEqualTo(64 * 1024));
    }

    @Test
    void eventListsAndMultiValuedUserAgentsWorkThroughTheWholeJobFromGzip() throws Exception {
        String item = "{\"level\":\"Metadata\",\"auditID\":\"%s\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
                + "\"user\":{\"username\":\"eve\"},\"impersonatedUser\":{\"username\":\"admin\"},"
                + "\"sourceIPs\":[\"192.0.2.9\",\"0:0:0:0:0:ffff:c633:6407\"],\"userAgent\":\"curl/8.5.0\","
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\",\"name\":\"%s\"},"
                + "\"requestReceivedTimestamp\":\"%s\",\"annotations\":{\"authorization.k8s.io/decision\":\"%s\"}}";
        String eventList = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
                + String.format(item, "a1", "db", "2026-11-02T10:00:01.000001Z", "allow") + ","
                + String.format(item, "a2", "api", "2026-11-02T10:00:02.5Z", "forbid") + ","
                + String.format(item, "a3", "tls", "2026-11-02T10:00:03+00:00", "allow") + "]}";
        String ecs = "{\"@timestamp\":\"2026-11-02T11:00:0%dZ\",\"event.dataset\":\"kubernetes.audit_logs\","
                + "\"event\":{\"action\":\"get\"},\"user\":{\"name\":\"bot\"},\"kubernetes.audit\":{\"user.username\":\"bot\","
                + "\"objectRef\":{\"resource\":\"secrets\",\"name\":\"s%d\"}},\"source.ip\":\"2001:DB8::1\","
                + "\"user_agent\":{\"original\":[\"agent-a\",\"agent-b\",\"agent-a\"]}}";
        Path gz = tmp.resolve("shapes.log.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write((eventList + "\n").getBytes(StandardCharsets.UTF_8));
            for (int i = 1; i <= 3; i++) {
                out.write((String.format(ecs, i, i) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        Run run = run(gz, "--detector.mode", "continuous");

        List<JsonNode> alerts = AlertDocuments.read(run.alertFile);
        assertThat(alerts).extracting(a -> a.at("/user/name").asText() + " " + a.at("/source/ip").asText() + " "
                        + a.at("/user_agent/original").asText() + " " + a.at("/Esql/unique_credentials").asInt())
                .containsExactlyInAnyOrder(
                        "eve 198.51.100.7 curl/8.5.0 3",   // the remote address, IPv4-mapped written as IPv4
                        "bot 2001:db8::1 agent-a 3",
                        "bot 2001:db8::1 agent-b 3");
        JsonNode eve = alerts.stream().filter(a -> a.at("/user/name").asText().equals("eve")).findFirst().orElseThrow();
        assertThat(eve.at("/Esql/outcome").toString()).isEqualTo("[\"allow\",\"forbid\"]");
        assertThat(eve.at("/secret_recon/audit_ids").toString()).isEqualTo("[\"a1\",\"a2\",\"a3\"]");
        assertThat(eve.at("/@timestamp").asText()).isEqualTo("2026-11-02T10:00:03.000Z");
        assertThat(eve.at("/Esql/namespaces").toString()).isEqualTo("[\"prod\"]");
        assertThat(run.deadLetters()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static List<WorkloadGenerator.Event> generate(long seed) {
        WorkloadGenerator g = new WorkloadGenerator(seed, Instant.parse("2026-11-02T08:00:00Z").toEpochMilli(),
                Duration.ofMinutes(90).toMillis());
        return g.generate(1500, 5);
    }

    private Run run(Path input, String... overrides) throws Exception {
        Path out = Files.createTempDirectory(tmp, "run");
        List<String> args = new ArrayList<>(List.of(
                "--source.type", "file", "--source.path", input.toString(),
                "--sink.type", "file", "--sink.path", out.resolve("alerts.ndjson").toString(),
                "--dead-letter.type", "file", "--dead-letter.path", out.resolve("dead-letters.ndjson").toString()));
        args.addAll(List.of(overrides));
        JobSettings settings = SecretReconJob.loadSettings(args.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        SecretReconJob.build(env, settings);
        env.execute("secret-recon-itcase");
        return new Run(out.resolve("alerts.ndjson"), out.resolve("dead-letters.ndjson"));
    }

    private static final class Run {
        final Path alertFile;
        final Path deadLetterFile;

        Run(Path alertFile, Path deadLetterFile) {
            this.alertFile = alertFile;
            this.deadLetterFile = deadLetterFile;
        }

        List<String> alerts() {
            return AlertDocuments.canonical(alertFile);
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            AlertDocuments.read(alertFile).forEach(a -> ids.add(a.at("/kibana/alert/uuid").asText() + "#"
                    + a.at("/secret_recon/revision").asInt()));
            ids.sort(null);
            return ids;
        }

        List<JsonNode> deadLetterDocuments() {
            return AlertDocuments.read(deadLetterFile);
        }

        List<String> deadLetters() throws IOException {
            return Files.readAllLines(deadLetterFile);
        }
    }
}
