package io.secretrecon.cluster;

import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.testutil.AlertDocuments;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.tools.WorkloadGenerator;
import io.secretrecon.tools.WorkloadGenerator.Format;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented RocksDB option of {@code flink-conf/config.yaml} ({@code state.backend.type:
 * rocksdb} with incremental checkpoints) runs the whole job, in STREAMING mode so that the
 * detector's state lives in RocksDB, and gives the same alerts as the heap backend. RocksDB
 * serializes on every state access, so a detector that mutated a state value without writing it
 * back would pass on the heap and fail here. (Restoring from RocksDB incremental checkpoints after
 * a TaskManager kill, and from a savepoint, is in {@code scripts/cluster-e2e.sh}.)
 */
class RocksDbStateBackendITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlots();

    @TempDir
    Path tmp;

    @Test
    void rocksDbWithIncrementalCheckpointsGivesTheHeapBackendsAlerts() throws Exception {
        WorkloadGenerator generator = new WorkloadGenerator(29, Instant.parse("2026-11-02T08:00:00Z").toEpochMilli(),
                Duration.ofMinutes(90).toMillis());
        Path log = tmp.resolve("audit.log");
        generator.write(generator.generate(3000, 6), log, 1, Format.MIXED, false, 0);
        Path rocksDir = tmp.resolve("rocksdb");

        List<String> heap = run(log, "heap", "--flink.state.backend.type", "hashmap");
        List<String> rocks = run(log, "rocksdb",
                "--flink.state.backend.type", "rocksdb",
                "--flink.execution.checkpointing.incremental", "true",
                "--flink.execution.checkpointing.interval", "200ms",
                "--flink.execution.checkpointing.dir", tmp.resolve("checkpoints").toUri().toString(),
                "--flink.state.backend.rocksdb.localdir", rocksDir.toString());

        assertThat(rocksDir).as("RocksDB was the keyed state backend").isDirectory();
        assertThat(heap).as("the workload raises alerts").hasSizeGreaterThan(5);
        assertThat(rocks).containsExactlyElementsOf(heap);
    }

    private List<String> run(Path input, String name, String... overrides) throws Exception {
        Path out = Files.createDirectories(tmp.resolve(name));
        List<String> args = new ArrayList<>(List.of(
                "--source.type", "file", "--source.path", input.toString(),
                "--sink.type", "file", "--sink.path", out.resolve("alerts.ndjson").toString(),
                "--dead-letter.type", "file", "--dead-letter.path", out.resolve("dead-letters.ndjson").toString(),
                "--flink.execution.runtime-mode", "STREAMING"));
        args.addAll(List.of(overrides));
        JobSettings settings = SecretReconJob.loadSettings(args.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        SecretReconJob.build(env, settings);
        env.execute("secret-recon-" + name);
        assertThat(Files.readAllLines(out.resolve("dead-letters.ndjson"))).as("dead letters of %s", name).isEmpty();
        return AlertDocuments.canonical(out.resolve("alerts.ndjson"));
    }
}
