package io.secretrecon.cluster;

import io.secretrecon.LocalRunner;
import io.secretrecon.config.ConfigException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code scripts/run-local.sh} relies on in {@link LocalRunner}: loopback and no jar upload
 * unless configured, owner-only state directories, its own options taken out of the job's
 * arguments, and "latest" meaning the newest retained checkpoint.
 */
class LocalRunnerTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void withNothingConfiguredTheWebUiIsOnLoopbackWithoutUploadAndStateIsPrivate() throws Exception {
        Configuration conf = new Configuration();
        LocalRunner.applyLocalDefaults(conf, tmp.resolve("state"));

        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(WebOptions.SUBMIT_ENABLE)).isFalse();
        Path checkpoints = tmp.resolve("state/local/checkpoints");
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(checkpoints.toUri().toString().replaceAll("/$", ""));
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).endsWith("state/local/savepoints");
        for (Path p : new Path[] {tmp.resolve("state"), tmp.resolve("state/local"), checkpoints}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rwx------");
        }
    }

    @Test
    void whatTheUserConfiguredIsKept() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "0.0.0.0");
        conf.set(WebOptions.SUBMIT_ENABLE, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/checkpoints");
        LocalRunner.applyLocalDefaults(conf, tmp.resolve("state"));

        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(conf.get(WebOptions.SUBMIT_ENABLE)).isTrue();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://bucket/checkpoints");
    }

    @Test
    void theRunnersOwnOptionsAreTakenOutOfTheJobsArguments() {
        LocalRunner.RunnerArgs args = LocalRunner.RunnerArgs.parse(new String[] {
            "--config", "x.yaml", "--local.progress", "true", "--detector.threshold", "4", "--local.resume=latest"});

        assertThat(args.jobArgs).containsExactly("--config", "x.yaml", "--detector.threshold", "4");
        assertThat(args.progress).contains(true);
        assertThat(args.resume).isEqualTo("latest");
        assertThat(LocalRunner.RunnerArgs.parse(new String[] {"--config", "x.yaml"}).progress).isEmpty();
        assertThatThrownBy(() -> LocalRunner.RunnerArgs.parse(new String[] {"--local.progress", "yes"}))
                .isInstanceOf(ConfigException.class).hasMessageContaining("local.progress");
        assertThatThrownBy(() -> LocalRunner.RunnerArgs.parse(new String[] {"--local.resume"}))
                .isInstanceOf(ConfigException.class).hasMessageContaining("local.resume");
    }

    @Test
    void latestIsTheNewestCompletedCheckpointOfAnyEarlierRun() throws Exception {
        Path root = tmp.resolve("checkpoints");
        checkpoint(root, "job-a/chk-7", T0);
        Path newest = checkpoint(root, "job-b/chk-3", T0.plusSeconds(60));
        checkpoint(root, "job-a/chk-8", T0.plusSeconds(30));
        Files.createDirectories(root.resolve("job-b/chk-4")); // in progress: no _metadata yet
        Files.createDirectories(root.resolve("job-b/shared"));

        assertThat(LocalRunner.latestCheckpoint(root)).contains(newest);

        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, root.toUri().toString());
        assertThat(LocalRunner.resumePath("latest", conf)).isEqualTo(newest.toUri().toString());
    }

    @Test
    void resumingWithoutACheckpointOrFromAMissingPathStopsWithTheKey() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.resolve("none").toUri().toString());

        assertThatThrownBy(() -> LocalRunner.resumePath("latest", conf))
                .isInstanceOf(ConfigException.class).hasMessageContaining("local.resume").hasMessageContaining("no retained checkpoint");
        assertThatThrownBy(() -> LocalRunner.resumePath(tmp.resolve("savepoint-gone").toString(), conf))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
        assertThat(LocalRunner.resumePath("s3://bucket/savepoint-1", conf)).isEqualTo("s3://bucket/savepoint-1");
    }

    private static Path checkpoint(Path root, String dir, Instant completed) throws Exception {
        Path chk = Files.createDirectories(root.resolve(dir));
        Path metadata = Files.writeString(chk.resolve("_metadata"), "metadata");
        Files.setLastModifiedTime(metadata, FileTime.from(completed));
        return chk;
    }
}
