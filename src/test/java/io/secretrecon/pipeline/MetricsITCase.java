package io.secretrecon.pipeline;

import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import io.secretrecon.testutil.MiniClusters;
import io.secretrecon.testutil.ThreadDumpOnTimeout;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator metrics the web UI shows (README, "Reading the web UI") count what they say. */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(ThreadDumpOnTimeout.class)
class MetricsITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.twoSlotsReportingTo(REPORTER);

    @TempDir
    Path tmp;

    @Test
    void everyVerdictAlertAndFingerprintIsCounted() throws Exception {
        long t = Instant.parse("2026-11-02T10:00:00Z").toEpochMilli();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add(event(t + i * 1000, "get", "alice", "203.0.113.5", "secrets", "secret-" + i));
        }
        lines.add(event(t, "get", "bob", "203.0.113.6", "secrets", "sh.helm.release.v1.web.v3"));
        lines.add(event(t, "get", "bob", "127.0.0.1", "secrets", "local"));
        lines.add(event(t, "get", "system:kube-controller-manager", "10.0.0.10", "secrets", "ctrl"));
        lines.add(event(t, "get", "system:serviceaccount:flux-system:helm-controller", "10.0.3.30", "secrets", "flux"));
        lines.add(event(t, "list", "carol", "203.0.113.7", "pods", "p"));
        lines.add("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",");
        Path input = Files.write(tmp.resolve("audit.log"), lines);

        JobSettings settings = SecretReconJob.loadSettings(new String[] {"--source.path", input.toString(),
                "--sink.type", "file", "--sink.path", tmp.resolve("alerts.ndjson").toString(),
                "--dead-letter.path", tmp.resolve("dead-letters.ndjson").toString()});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SecretReconJob.jobConfiguration(settings));
        env.setParallelism(2);
        SecretReconJob.build(env, settings);
        JobID job = env.execute("metrics").getJobID();

        assertThat(sum(job, "eventsIn")).isEqualTo(8);
        assertThat(sum(job, "malformed")).isEqualTo(1);
        assertThat(sum(job, "kept")).isEqualTo(3);
        assertThat(sum(job, "dropped-excluded-secret-name")).isEqualTo(1);
        assertThat(sum(job, "dropped-excluded-source-ip")).isEqualTo(1);
        assertThat(sum(job, "dropped-excluded-user-name")).isEqualTo(1);
        assertThat(sum(job, "dropped-excluded-audit-username")).isEqualTo(1);
        assertThat(sum(job, "dropped-not-secret-get")).isEqualTo(1);
        assertThat(sum(job, "dropped-missing-client")).isZero();
        assertThat(sum(job, "alertsEmitted")).isEqualTo(1);
        assertThat(sum(job, "lateEvents")).isZero();
        assertThat(sum(job, "activeFingerprints")).as("every fingerprint's state is gone at the end").isZero();
    }

    private static String event(long time, String verb, String user, String ip, String resource, String name) {
        WorkloadGenerator.Event e = new WorkloadGenerator.Event();
        e.received = time;
        e.verb = verb;
        e.user = user;
        e.sourceIps = List.of(ip);
        e.userAgent = "kubectl/v1.31.2";
        e.resource = resource;
        e.namespace = "default";
        e.name = name;
        e.auditId = user + "-" + name;
        return WorkloadGenerator.raw(e);
    }

    /** The metric summed over all subtasks that report it. */
    private static long sum(JobID job, String name) {
        long total = 0;
        int found = 0;
        for (Map.Entry<String, Metric> m : REPORTER.findMetrics(job, name).entrySet()) {
            if (!m.getKey().endsWith("." + name)) {
                continue;
            }
            found++;
            Metric metric = m.getValue();
            total += metric instanceof Counter ? ((Counter) metric).getCount() : ((Number) ((Gauge<?>) metric).getValue()).longValue();
        }
        assertThat(found).as("metric %s is registered", name).isPositive();
        return total;
    }
}
