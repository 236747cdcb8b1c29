package io.secretrecon;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.pipeline.Outputs;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Runs the job in an embedded MiniCluster with the Flink web UI ({@code scripts/run-local.sh}).
 * Flink's options come from {@code flink-conf/config.yaml} (the directory is
 * {@code $SECRET_RECON_CONF_DIR}, default {@code flink-conf}) when it exists, the job's from the
 * same arguments as {@link SecretReconJob}. Exits 0 when a bounded input is done, 1 when the job
 * failed and 2 on a bad configuration. With {@code --local.keep-ui-open true} the cluster and its
 * web UI stay up after the job ends, until the process is interrupted.
 *
 * <p>Whatever the working directory and configuration, unless configured otherwise:
 * <ul>
 *   <li>the web UI and REST bind to 127.0.0.1 only, and jar upload through the UI is off
 *       ({@code rest.bind-address}, {@code web.submit.enable});</li>
 *   <li>checkpoints and savepoints go to a per-user directory readable only by its owner,
 *       {@code $SECRET_RECON_STATE_DIR/local/{checkpoints,savepoints}} (default
 *       {@code ${XDG_STATE_HOME:-~/.local/state}/secret-recon}), created with mode 700.</li>
 * </ul>
 *
 * <p>Options of this runner only, taken out of the arguments before the job sees them:
 * <ul>
 *   <li>{@code --local.progress true|false}: one progress line on stderr every 5 s
 *       ({@link LocalProgress}); default: only when stderr is a terminal;</li>
 *   <li>{@code --local.resume latest|PATH}: restore the job's state and source offsets from the
 *       newest retained checkpoint under the local checkpoint directory, or from the savepoint or
 *       checkpoint at PATH (Flink's {@code execution.state-recovery.path}).</li>
 * </ul>
 */
public final class LocalRunner {

    public static final String PROGRESS_ARG = "--local.progress";
    public static final String RESUME_ARG = "--local.resume";
    private static final long PROGRESS_INTERVAL_MS = 5000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private LocalRunner() {}

    public static void main(String[] args) throws Exception {
        String confDir = System.getenv().getOrDefault("SECRET_RECON_CONF_DIR", "flink-conf");
        JobSettings settings;
        Configuration conf;
        StreamGraph graph;
        boolean progress;
        try {
            RunnerArgs runner = RunnerArgs.parse(args);
            progress = runner.progress.orElseGet(LocalRunner::stderrIsTerminal);
            settings = SecretReconJob.loadSettings(runner.jobArgs);
            conf = Files.isRegularFile(Path.of(confDir, "config.yaml"))
                    ? GlobalConfiguration.loadConfiguration(confDir)
                    : new Configuration();
            conf.addAll(SecretReconJob.jobConfiguration(settings));
            applyLocalDefaults(conf, stateDirectory());
            if (runner.resume != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resumePath(runner.resume, conf));
            }
            if (progress) {
                LocalProgress.addReporter(conf);
            }
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            SecretReconJob.build(env, settings);
            Outputs.prepare(settings);
            graph = env.getStreamGraph();
            graph.setJobName(SecretReconJob.JOB_NAME);
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.fromConfiguration(conf));
        } catch (ConfigException e) {
            System.err.println("secret-recon: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        int slots = Math.max(parallelism, conf.get(TaskManagerOptions.NUM_TASK_SLOTS));

        MiniClusterConfiguration clusterConf = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build();
        int exit;
        try (MiniCluster cluster = new MiniCluster(clusterConf)) {
            try {
                cluster.start();
            } catch (Exception e) {
                // Flink's threads would keep the JVM alive after main() threw: exit instead.
                System.err.println("secret-recon: the embedded Flink cluster did not start: " + rootMessage(e)
                        + (hasCause(e, java.net.BindException.class)
                                ? " (is port " + conf.get(RestOptions.PORT) + " taken? pass --flink.rest.port <port>)" : ""));
                System.exit(1);
                return;
            }
            System.err.println("secret-recon: Flink web UI at " + cluster.getRestAddress().get());
            SavepointRestoreSettings restore = graph.getSavepointRestoreSettings();
            if (restore.restoreSavepoint()) {
                System.err.println("secret-recon: restoring state and offsets from " + restore.getRestorePath());
            }

            var submitted = cluster.submitJob(graph).get();
            System.err.println("secret-recon: job " + submitted.getJobID() + " submitted; checkpoints under "
                    + conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY) + "/" + submitted.getJobID());
            LocalProgress progressLine = progress
                    ? LocalProgress.start(System.err, PROGRESS_INTERVAL_MS, localInputs(settings))
                    : null;
            JobResult result;
            try {
                result = cluster.requestJobResult(submitted.getJobID()).get();
            } finally {
                if (progressLine != null) {
                    progressLine.close();
                }
            }
            if (result.isSuccess()) {
                JobExecutionResult done = result.toJobExecutionResult(LocalRunner.class.getClassLoader());
                System.err.println("secret-recon: job finished in " + done.getNetRuntime() + " ms; " + summary(done));
                exit = 0;
            } else {
                System.err.println("secret-recon: job failed: "
                        + result.getSerializedThrowable().map(t -> t.getFullStringifiedStackTrace()).orElse("unknown cause"));
                exit = 1;
            }
            if (settings.keepUiOpen()) {
                System.err.println("secret-recon: web UI stays up at " + cluster.getRestAddress().get()
                        + " (local.keep-ui-open); press Ctrl-C to stop");
                new CountDownLatch(1).await();
            }
        }
        System.exit(exit);
    }

    /** This runner's own options, and the rest for the job. */
    public static final class RunnerArgs {
        /** The arguments for the job: everything but this runner's own options. */
        public final String[] jobArgs;
        /** {@code --local.progress}, if given. */
        public final Optional<Boolean> progress;
        /** {@code --local.resume}, or null. */
        public final String resume;

        private RunnerArgs(String[] jobArgs, Optional<Boolean> progress, String resume) {
            this.jobArgs = jobArgs;
            this.progress = progress;
            this.resume = resume;
        }

        public static RunnerArgs parse(String[] args) {
            List<String> rest = new ArrayList<>();
            Optional<Boolean> progress = Optional.empty();
            String resume = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                String name = a;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (!name.equals(PROGRESS_ARG) && !name.equals(RESUME_ARG)) {
                    rest.add(a);
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw ConfigException.forKey(name.substring(2), "missing value");
                    }
                    value = args[++i];
                }
                if (name.equals(PROGRESS_ARG)) {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw ConfigException.forKey("local.progress", "must be true or false, got '" + value + "'");
                    }
                    progress = Optional.of(Boolean.parseBoolean(value));
                } else {
                    if (value.isBlank()) {
                        throw ConfigException.forKey("local.resume", "must be 'latest' or the path of a savepoint or checkpoint");
                    }
                    resume = value;
                }
            }
            return new RunnerArgs(rest.toArray(new String[0]), progress, resume);
        }
    }

    /**
     * Loopback-only web UI without jar upload, and owner-only state directories, unless the
     * configuration (config.yaml or {@code --flink.*}) says otherwise.
     */
    public static void applyLocalDefaults(Configuration conf, Path stateDir) {
        if (!conf.contains(RestOptions.BIND_ADDRESS)) {
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        }
        if (!conf.contains(RestOptions.ADDRESS)) {
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
        }
        if (!conf.contains(WebOptions.SUBMIT_ENABLE)) {
            conf.set(WebOptions.SUBMIT_ENABLE, false);
        }
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, fileUri(privateDirectory(stateDir.resolve("local/checkpoints"))));
        }
        if (!conf.contains(CheckpointingOptions.SAVEPOINT_DIRECTORY)) {
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, fileUri(privateDirectory(stateDir.resolve("local/savepoints"))));
        }
    }

    /** {@code file:///dir} without the trailing slash of {@link Path#toUri()} for a directory. */
    private static String fileUri(Path dir) {
        String uri = dir.toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /** {@code $SECRET_RECON_STATE_DIR}, else {@code $XDG_STATE_HOME/secret-recon}, else {@code ~/.local/state/secret-recon}. */
    public static Path stateDirectory() {
        Map<String, String> env = System.getenv();
        String explicit = env.get("SECRET_RECON_STATE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "secret-recon").toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "secret-recon");
    }

    /**
     * Creates the directory (and its missing parents up to the state directory) readable only by
     * the user; an existing one is left as it is, with a warning if others can read it.
     */
    public static Path privateDirectory(Path dir) {
        try {
            List<Path> missing = new ArrayList<>();
            for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
                missing.add(p);
            }
            for (int i = missing.size() - 1; i >= 0; i--) {
                Path p = missing.get(i);
                Files.createDirectory(p);
                try {
                    Files.setPosixFilePermissions(p, OWNER_ONLY);
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: nothing to tighten
                }
            }
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
                if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                    System.err.println("secret-recon: warning: " + dir + " can be read by other users; checkpoints hold "
                            + "detector state (user names, source IPs, secret names): chmod 700 it");
                }
            } catch (UnsupportedOperationException e) {
                // not POSIX
            }
        } catch (IOException e) {
            throw ConfigException.forKey("flink.execution.checkpointing.dir", "cannot create " + dir + ": " + e.getMessage()
                    + " (set SECRET_RECON_STATE_DIR or --flink.execution.checkpointing.dir)");
        }
        return dir.toAbsolutePath();
    }

    /** {@code latest}: the newest retained checkpoint under the checkpoint directory; else the path as given. */
    public static String resumePath(String resume, Configuration conf) {
        if (!resume.equals("latest")) {
            Path given = Path.of(resume.startsWith("file:") ? java.net.URI.create(resume).getPath() : resume);
            if (!resume.contains("://") || resume.startsWith("file:")) {
                if (!Files.exists(given)) {
                    throw ConfigException.forKey("local.resume", resume + " does not exist");
                }
                return given.toAbsolutePath().toUri().toString();
            }
            return resume;
        }
        String dir = conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        Path root = Path.of(java.net.URI.create(dir.startsWith("file:") ? dir : "file://" + dir).getPath());
        return latestCheckpoint(root)
                .map(p -> p.toUri().toString())
                .orElseThrow(() -> ConfigException.forKey("local.resume",
                        "no retained checkpoint (chk-*/_metadata) under " + root + "; give a savepoint path instead"));
    }

    /** The newest {@code <job>/chk-<n>} directory with a {@code _metadata} file under {@code root}. */
    public static Optional<Path> latestCheckpoint(Path root) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(job -> {
                        try (Stream<Path> chks = Files.list(job)) {
                            return chks.filter(c -> c.getFileName().toString().startsWith("chk-"))
                                    .filter(c -> Files.isRegularFile(c.resolve("_metadata")))
                                    .collect(java.util.stream.Collectors.toList()).stream();
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    })
                    .max(Comparator.comparingLong(LocalRunner::metadataTime));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long metadataTime(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }

    private static List<String> localInputs(JobSettings settings) {
        return settings.sourceType() == JobSettings.SourceType.FILE ? settings.sourcePaths() : List.of();
    }

    /** Whether stderr is a terminal (Linux: /proc/self/fd/2 is a tty); false when it cannot tell. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String summary(JobExecutionResult done) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(done.getAllAccumulatorResults()).entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.length() == 0 ? "no counters" : sb.toString();
    }
}
