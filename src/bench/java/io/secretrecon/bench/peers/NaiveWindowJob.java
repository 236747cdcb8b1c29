package io.secretrecon.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule as a Flink user would first write it with the DataStream API: text lines, a Jackson
 * POJO per line, a filter with the WHERE clause, {@code keyBy} the fingerprint,
 * {@code SlidingEventTimeWindows} (6 minutes, sliding by {@code --slide}, 1 minute as in
 * issue 9, 5 minutes for Elastic's schedule) and a {@code ProcessWindowFunction} that counts the
 * distinct names of the window's buffered events. Default settings: STREAMING, no object reuse,
 * watermarks after the filter with 30 s out-of-orderness. Alerts go to stdout (Flink's print
 * sink), one tab-separated line each; the job's net runtime to stderr.
 *
 * <p>It has the rule's semantics only on data like the benchmark's (no nulls, no arrays, IPs
 * already canonical, one file per source reader so that nothing is late).
 *
 * <pre>NaiveWindowJob --input DIR [--slide-min 1] [--parallelism 2]</pre>
 */
public final class NaiveWindowJob {

    private NaiveWindowJob() {}

    /** A kept secret GET, as the window buffers it. */
    public static class Get {
        public String user;
        public String username;
        public String ip;
        public String agent;
        public String name;
        public String namespace;
        public String decision;
        public long time;

        public Get() {}

        String key() {
            return user + "|" + username + "|" + ip + "|" + agent;
        }
    }

    private static final Set<String> EXCLUDED_IPS = Set.of("127.0.0.1", "::1");
    private static final Set<String> EXCLUDED_USERS = Set.of("system:kube-controller-manager", "system:kube-scheduler");
    private static final Set<String> EXCLUDED_USERNAMES = Set.of(
            "system:serviceaccount:flux-system:kustomize-controller",
            "system:serviceaccount:flux-system:helm-controller",
            "system:serviceaccount:flux-system:source-controller",
            "system:serviceaccount:security:trivy-operator");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String input = null;
        long slideMin = 1;
        int parallelism = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--input": input = args[i + 1]; break;
                case "--slide-min": slideMin = Long.parseLong(args[i + 1]); break;
                case "--parallelism": parallelism = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input)).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "audit-files")
                .map(line -> MAPPER.readValue(line, EcsDocument.class))
                .filter(NaiveWindowJob::isSecretGet)
                .map(NaiveWindowJob::toGet)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Get>forBoundedOutOfOrderness(Duration.ofSeconds(30))
                        .withTimestampAssigner((g, previous) -> g.time))
                .keyBy(Get::key)
                .window(SlidingEventTimeWindows.of(Duration.ofMinutes(6), Duration.ofMinutes(slideMin)))
                .process(new DistinctSecrets())
                .print();

        JobExecutionResult result = env.execute("naive-sliding-window");
        System.err.println("bench: job finished in " + result.getNetRuntime() + " ms");
    }

    static boolean isSecretGet(EcsDocument d) {
        if (d.event == null || d.kubernetes == null || d.kubernetes.audit == null || d.kubernetes.audit.objectRef == null) {
            return false;
        }
        EcsDocument.Audit a = d.kubernetes.audit;
        String ip = d.source == null ? null : d.source.ip;
        String user = d.user == null ? null : d.user.name;
        String username = a.user == null ? null : a.user.username;
        String name = a.objectRef.name;
        return "kubernetes.audit_logs".equals(d.event.dataset) && "get".equals(d.event.action)
                && "secrets".equals(a.objectRef.resource) && ip != null && user != null && name != null && username != null
                && !EXCLUDED_IPS.contains(ip) && !EXCLUDED_USERS.contains(user) && !name.startsWith("sh.helm.release.")
                && !EXCLUDED_USERNAMES.contains(username);
    }

    static Get toGet(EcsDocument d) {
        Get g = new Get();
        g.user = d.user.name;
        g.username = d.kubernetes.audit.user.username;
        g.ip = d.source.ip;
        g.agent = d.userAgent == null ? null : d.userAgent.original;
        g.name = d.kubernetes.audit.objectRef.name;
        g.namespace = d.kubernetes.audit.objectRef.namespace;
        g.decision = d.kubernetes.audit.annotations == null ? null : d.kubernetes.audit.annotations.decision;
        g.time = Instant.parse(d.event.ingested != null ? d.event.ingested : d.timestamp).toEpochMilli();
        return g;
    }

    /** Counts the distinct secret names of one window of one fingerprint. */
    static final class DistinctSecrets extends ProcessWindowFunction<Get, String, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(String key, Context context, Iterable<Get> events, Collector<String> out) {
            TreeSet<String> names = new TreeSet<>();
            TreeSet<String> namespaces = new TreeSet<>();
            TreeSet<String> decisions = new TreeSet<>();
            Get any = null;
            long count = 0;
            for (Get g : events) {
                any = g;
                count++;
                names.add(g.name);
                if (g.namespace != null) {
                    namespaces.add(g.namespace);
                }
                if (g.decision != null) {
                    decisions.add(g.decision);
                }
            }
            if (any != null && names.size() >= 3) {
                TimeWindow w = context.window();
                out.collect(String.join("\t", Long.toString(w.getStart()), Long.toString(w.getEnd()), any.user, any.username,
                        any.ip, String.valueOf(any.agent), Integer.toString(names.size()), String.join(",", names),
                        String.join(",", namespaces), String.join(",", decisions), Long.toString(count)));
            }
        }
    }
}
