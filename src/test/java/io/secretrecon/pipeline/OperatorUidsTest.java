package io.secretrecon.pipeline;

import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's list of operator uids is the list of uids in the built job graphs: every output
 * type wired once, nothing left out and nothing extra. A uid is how a savepoint finds its state,
 * so the list operators rely on must be the real one.
 */
class OperatorUidsTest {

    @Test
    void theReadmeListsEveryUidOfTheJobGraphAndNoOther() throws IOException {
        Set<String> built = new TreeSet<>();
        for (String[] args : configurations()) {
            built.addAll(uids(args));
        }
        assertThat(readmeUids()).isEqualTo(built);
    }

    @Test
    void withoutASourceOfExceptionsTheJobGraphIsTheOneItAlwaysWas() {
        String[] seed = {"--source.path", "samples/audit-sample.ndjson"};
        String[] quiet = {"--source.path", "samples/audit-sample.ndjson", "--rule.profile", "quiet"};

        assertThat(uids(quiet)).isEqualTo(uids(seed))
                .containsExactlyInAnyOrder("audit-source", "secret-get-filter", "secret-burst-detector",
                        "alert-json-stdout", "alerts-stdout-sink", "dead-letter-json", "dead-letters-file-sink");
    }

    @Test
    void everyOperatorHasAUidAndAName() {
        for (String[] args : configurations()) {
            for (StreamNode node : graph(args).getStreamNodes()) {
                assertThat(node.getTransformationUID()).as("uid of %s", node.getOperatorName()).isNotBlank();
                assertThat(node.getOperatorName()).isNotBlank();
            }
        }
    }

    /** Together, every output type as alert sink and as dead-letter sink, and both sources of rule exceptions. */
    private static List<String[]> configurations() {
        List<String[]> configurations = new ArrayList<>();
        configurations.add(new String[] {"--source.path", "samples/audit-sample.ndjson", "--sink.type", "stdout,file",
                "--sink.path", "target/alerts.ndjson", "--dead-letter.type", "file"});
        configurations.add(new String[] {"--source.path", "samples/audit-sample.ndjson", "--dead-letter.type", "stdout",
                "--sink.type", "elasticsearch", "--elasticsearch.hosts", "http://127.0.0.1:1"});
        configurations.add(new String[] {"--source.type", "kafka", "--kafka.bootstrap-servers", "127.0.0.1:1",
                "--kafka.topics", "audit", "--sink.type", "kafka", "--dead-letter.type", "kafka",
                "--flink.execution.checkpointing.interval", "10s"});
        configurations.add(new String[] {"--source.path", "samples/audit-sample.ndjson",
                "--rule.exceptions-file", "samples/exceptions-example.ndjson", "--rule.profile", "quiet"});
        configurations.add(new String[] {"--source.type", "kafka", "--kafka.bootstrap-servers", "127.0.0.1:1",
                "--kafka.topics", "audit", "--rule.exceptions-topic", "rule-exceptions", "--dead-letter.type", "stdout"});
        return configurations;
    }

    private static StreamGraph graph(String[] args) {
        JobSettings settings = SecretReconJob.loadSettings(args);
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        SecretReconJob.build(env, settings);
        return env.getStreamGraph();
    }

    private static Set<String> uids(String[] args) {
        Set<String> uids = new TreeSet<>();
        for (StreamNode node : graph(args).getStreamNodes()) {
            uids.add(node.getTransformationUID());
        }
        return uids;
    }

    /** The uids in backticks between the README's {@code <!-- uids -->} markers. */
    static Set<String> readmeUids() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("<!-- uids:start -->");
        int end = readme.indexOf("<!-- uids:end -->");
        assertThat(start).as("README.md has a <!-- uids:start --> ... <!-- uids:end --> list").isNotNegative();
        assertThat(end).isGreaterThan(start);
        Set<String> uids = new TreeSet<>();
        Matcher m = Pattern.compile("^\\|\\s*`([^`]+)`", Pattern.MULTILINE).matcher(readme.substring(start, end));
        while (m.find()) {
            uids.add(m.group(1));
        }
        return uids;
    }
}
