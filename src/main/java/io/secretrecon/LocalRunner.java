package io.secretrecon;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the job in an embedded MiniCluster with the Flink web UI ({@code scripts/run-local.sh}).
 * Flink's options come from {@code flink-conf/config.yaml} (the directory is
 * {@code $SECRET_RECON_CONF_DIR}, default {@code flink-conf}), the job's from the same arguments
 * as {@link SecretReconJob}. Exits 0 when a bounded input is done, 1 when the job failed and 2 on
 * a bad configuration. With {@code --local.keep-ui-open true} the cluster and its web UI stay up
 * after the job ends, until the process is interrupted.
 */
public final class LocalRunner {

    private LocalRunner() {}

    public static void main(String[] args) throws Exception {
        String confDir = System.getenv().getOrDefault("SECRET_RECON_CONF_DIR", "flink-conf");
        JobSettings settings;
        Configuration conf;
        StreamGraph graph;
        try {
            settings = SecretReconJob.loadSettings(args);
            conf = Files.isRegularFile(Path.of(confDir, "config.yaml"))
                    ? GlobalConfiguration.loadConfiguration(confDir)
                    : new Configuration();
            conf.addAll(SecretReconJob.jobConfiguration(settings));
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            SecretReconJob.build(env, settings);
            graph = env.getStreamGraph();
            graph.setJobName(SecretReconJob.JOB_NAME);
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
            cluster.start();
            System.err.println("secret-recon: Flink web UI at " + cluster.getRestAddress().get());

            var submitted = cluster.submitJob(graph).get();
            System.err.println("secret-recon: job " + submitted.getJobID() + " submitted");
            JobResult result = cluster.requestJobResult(submitted.getJobID()).get();
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

    private static String summary(JobExecutionResult done) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(done.getAllAccumulatorResults()).entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.length() == 0 ? "no counters" : sb.toString();
    }
}
