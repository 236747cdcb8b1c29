package io.secretrecon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceRule;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule exceptions from a file, on bounded input (BATCH, the file read once before any event, and
 * STREAMING), compared with the reference: the seed profile's alerts are the same documents with
 * an exceptions source that excludes nothing, and an exception silences exactly its events.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExceptionsFileITCase {

    private static final long LOOKBACK = Duration.ofMinutes(6).toMillis();
    private static final long UPDATE = Duration.ofMinutes(1).toMillis();
    private static final Path SAMPLE = Path.of("samples/audit-sample.ndjson");
    private static final String FRONTEND = "system:serviceaccount:web:frontend";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void theSeedProfilesAlertsAreTheSameDocumentsWithAnExceptionsSourceThatExcludesNothing() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.ndjson"), "");
        List<String> without = documents(run());

        // The example's entries match none of the sample's attackers, and without an effective time
        // they apply from the file's modification time (now), after the sample's events anyway.
        assertThat(without).hasSizeGreaterThan(5);
        assertThat(documents(run("--rule.exceptions-file", empty.toString()))).containsExactlyElementsOf(without);
        assertThat(documents(run("--rule.exceptions-file", "samples/exceptions-example.ndjson")))
                .containsExactlyElementsOf(without);
        assertThat(documents(run("--rule.exceptions-file", empty.toString(), "--flink.execution.runtime-mode", "STREAMING")))
                .as("streaming, with a bounded control source that finishes first").containsExactlyElementsOf(without);
    }

    @Test
    void anExceptionSilencesExactlyTheEventsItCoversFromItsEffectiveTime() throws Exception {
        Path exceptions = Files.write(tmp.resolve("exceptions.ndjson"), List.of(
                "# the web frontend's service account, for the whole sample",
                "{\"id\": \"frontend\", \"field\": \"user.name\", \"operator\": \"is\", \"values\": [\"" + FRONTEND + "\"],"
                        + " \"effective\": \"2026-11-01T00:00:00Z\", \"author\": \"test\", \"comment\": \"the sample's frontend\"}",
                "{\"id\": \"mallory\", \"field\": \"user.name\", \"operator\": \"matches\", \"values\": [\"mallory-*\"],"
                        + " \"author\": \"test\", \"comment\": \"effective from the file's modification time: after the sample\"}"));

        Path alerts = run("--rule.exceptions-file", exceptions.toString());

        List<ReferenceDetector.Kept> kept = ReferenceRule.kept(SAMPLE);
        List<ReferenceDetector.Kept> notFrontend = kept.stream().filter(k -> !k.user().equals(FRONTEND)).collect(Collectors.toList());
        assertThat(notFrontend).hasSizeLessThan(kept.size());
        List<String> expected = ReferenceDetector.continuous(notFrontend, LOOKBACK, 3, UPDATE);
        assertThat(expected).isNotEmpty().anySatisfy(a -> assertThat(a).contains("mallory-"));
        assertThat(AlertDocuments.canonical(alerts)).containsExactlyElementsOf(expected);
    }

    /** Alert documents without {@code event.created} (the wall clock), sorted. */
    private static List<String> documents(Path alerts) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : AlertDocuments.read(alerts)) {
            ((ObjectNode) a.get("event")).remove("created");
            out.add(a.toString());
        }
        out.sort(null);
        return out;
    }

    private Path run(String... overrides) throws Exception {
        Path out = Files.createTempDirectory(tmp, "run");
        List<String> args = new ArrayList<>(List.of(
                "--source.type", "file", "--source.path", SAMPLE.toString(),
                "--sink.type", "file", "--sink.path", out.resolve("alerts.ndjson").toString(),
                "--dead-letter.type", "file", "--dead-letter.path", out.resolve("dead-letters.ndjson").toString()));
        args.addAll(List.of(overrides));
        JobSettings settings = SecretReconJob.loadSettings(args.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        SecretReconJob.build(env, settings);
        env.execute("exceptions-file-itcase");
        Path deadLetters = out.resolve("dead-letters.ndjson");
        assertThat(Files.exists(deadLetters) ? Files.readAllLines(deadLetters) : List.of()).as("dead letters").isEmpty();
        return out.resolve("alerts.ndjson");
    }
}
