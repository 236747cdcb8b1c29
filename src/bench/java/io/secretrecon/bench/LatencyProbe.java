package io.secretrecon.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Alert latency from Kafka, end to end, against a running secret-recon job (Kafka to Kafka,
 * exactly once). Two commands:
 *
 * <ul>
 *   <li>{@code create}: creates the input topic (2 partitions, one per source reader at
 *       parallelism 2) and the alerts topic;
 *   <li>{@code run}: produces ECS documents at a fixed rate ({@code --rate}, default 200/s,
 *       round robin over the partitions; {@code event.ingested} is the produce time, so event
 *       time is the wall clock) with a burst of 3 distinct secret GETs by a new fingerprint every
 *       {@code --burst-every-s} (15 s) on average, plus or minus {@code --burst-jitter-s} (5 s, so
 *       that bursts do not lock in phase with the checkpoints), after a warm-up without bursts; a {@code read_committed}
 *       consumer reads the alerts topic. It stops by itself after {@code --duration-s} plus
 *       {@code --drain-s}, and reports per burst and as p50/p99.
 * </ul>
 *
 * <p>Per burst, all on this machine's wall clock, from the produce time of the crossing event
 * (the third distinct secret): <b>emitted</b> = the alert's {@code event.created} (the
 * detector's wall clock when it emitted revision 1); <b>visible</b> = when the read_committed
 * consumer got it. Breakdown: <b>watermark wait</b> = until the first record whose event time
 * is more than the out-of-orderness past the crossing event had been produced to every
 * partition (the earliest moment the watermark can pass it); <b>detector</b> = from then to
 * emission (periodic watermark emission, 200 ms by default, and the operators);
 * <b>commit</b> = emission to visible (the checkpoint that commits the Kafka transaction).
 *
 * <pre>
 * LatencyProbe create --bootstrap HOST:PORT --input-topic T --alerts-topic A
 * LatencyProbe run --bootstrap HOST:PORT --input-topic T --alerts-topic A --out-of-orderness-ms 30000
 *     [--rate 200] [--burst-every-s 15] [--burst-jitter-s 5] [--warmup-s 20] [--duration-s 300] [--drain-s 90]
 *     [--report FILE]
 * </pre>
 */
public final class LatencyProbe {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int PARTITIONS = 2;

    /** One burst: its fingerprint's user name, the crossing event's time, what was seen. */
    private static final class Burst {
        final int n;
        final String user;
        long crossing;
        volatile long watermarkReady;
        volatile long emitted;
        volatile long visible;
        /** {@code detector.early-alerts}: the provisional alert's event.created and when the consumer got it. */
        volatile long earlyEmitted;
        volatile long earlyVisible;

        Burst(int n, String user) {
            this.n = n;
            this.user = user;
        }
    }

    private LatencyProbe() {}

    public static void main(String[] args) throws Exception {
        String command = args[0];
        Map<String, String> a = new TreeMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        String bootstrap = a.get("--bootstrap");
        String input = a.get("--input-topic");
        String alerts = a.get("--alerts-topic");
        if (command.equals("create")) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) 1), new NewTopic(alerts, 1, (short) 1)))
                        .all().get();
            }
            System.err.println("probe: created " + input + " (" + PARTITIONS + " partitions) and " + alerts);
            return;
        }
        long outOfOrderness = Long.parseLong(a.getOrDefault("--out-of-orderness-ms", "30000"));
        int rate = Integer.parseInt(a.getOrDefault("--rate", "200"));
        long burstEvery = Long.parseLong(a.getOrDefault("--burst-every-s", "15")) * 1000;
        // Bursts exactly every 15 s lock in phase with 30 s checkpoints (every other burst waits
        // 1 s for its commit, the others 16 s): a jitter spreads them over the checkpoint cycle.
        long burstJitter = Long.parseLong(a.getOrDefault("--burst-jitter-s", "5")) * 1000;
        long warmup = Long.parseLong(a.getOrDefault("--warmup-s", "20")) * 1000;
        long duration = Long.parseLong(a.getOrDefault("--duration-s", "300")) * 1000;
        long drain = Long.parseLong(a.getOrDefault("--drain-s", "90")) * 1000;
        Path report = Path.of(a.getOrDefault("--report", "latency.tsv"));

        Map<String, Burst> byUser = new ConcurrentHashMap<>();
        List<Burst> bursts = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> consume(bootstrap, alerts, byUser, stop), "alerts-consumer");
        consumer.start();

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        SplittableRandom random = new SplittableRandom(7);
        List<Burst> waitingForWatermark = new ArrayList<>();
        long[] lastOnPartition = new long[PARTITIONS];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            long start = System.currentTimeMillis();
            long periodNanos = 1_000_000_000L / rate;
            long nextNanos = System.nanoTime();
            long nextBurst = start + warmup;
            long sent = 0;
            int partition = 0;
            while (System.currentTimeMillis() < start + warmup + duration) {
                LockSupport.parkNanos(nextNanos - System.nanoTime());
                nextNanos += periodNanos;
                long now = System.currentTimeMillis();
                if (now >= nextBurst) {
                    nextBurst += burstEvery + (burstJitter > 0 ? random.nextLong(-burstJitter, burstJitter + 1) : 0);
                    Burst b = new Burst(bursts.size(), "system:serviceaccount:probe:attacker-" + bursts.size() + "-" + start);
                    bursts.add(b);
                    byUser.put(b.user, b);
                    for (int i = 0; i < 3; i++) {
                        long t = System.currentTimeMillis();
                        producer.send(new ProducerRecord<>(input, partition, t, null,
                                document(t, b.user, "10.250." + (b.n / 250 % 250) + "." + (b.n % 250 + 1),
                                        "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "get", "secrets", "payments",
                                        "burst-" + b.n + "-secret-" + i, random)));
                        lastOnPartition[partition] = t;
                        partition = (partition + 1) % PARTITIONS;
                        b.crossing = t;
                    }
                    waitingForWatermark.add(b);
                    sent += 3;
                }
                long t = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(input, partition, t, null, background(t, random)));
                lastOnPartition[partition] = t;
                partition = (partition + 1) % PARTITIONS;
                sent++;
                // The watermark can pass a crossing event once every partition has a later enough record.
                for (var it = waitingForWatermark.iterator(); it.hasNext(); ) {
                    Burst b = it.next();
                    boolean ready = true;
                    for (long last : lastOnPartition) {
                        ready &= last > b.crossing + outOfOrderness;
                    }
                    if (ready) {
                        b.watermarkReady = t;
                        it.remove();
                    }
                }
            }
            System.err.printf(Locale.ROOT, "probe: produced %,d records (%d bursts) in %.0f s%n", sent, bursts.size(),
                    (System.currentTimeMillis() - start) / 1000.0);
            // Keep event time moving while the last bursts are waited for.
            long drainEnd = System.currentTimeMillis() + drain;
            while (System.currentTimeMillis() < drainEnd && bursts.stream().anyMatch(b -> b.visible == 0)) {
                LockSupport.parkNanos(nextNanos - System.nanoTime());
                nextNanos += periodNanos;
                long t = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(input, partition, t, null, background(t, random)));
                lastOnPartition[partition] = t;
                partition = (partition + 1) % PARTITIONS;
                for (var it = waitingForWatermark.iterator(); it.hasNext(); ) {
                    Burst b = it.next();
                    if (Arrays.stream(lastOnPartition).allMatch(last -> last > b.crossing + outOfOrderness)) {
                        b.watermarkReady = t;
                        it.remove();
                    }
                }
            }
        }
        stop.set(true);
        consumer.join();

        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(report))) {
            w.println("burst\tcrossing\temitted_ms\tvisible_ms\twatermark_wait_ms\tdetector_ms\tcommit_ms");
            for (Burst b : bursts) {
                w.printf(Locale.ROOT, "%d\t%s\t%d\t%d\t%d\t%d\t%d%n", b.n, Instant.ofEpochMilli(b.crossing),
                        b.emitted == 0 ? -1 : b.emitted - b.crossing, b.visible == 0 ? -1 : b.visible - b.crossing,
                        b.watermarkReady - b.crossing, b.emitted == 0 ? -1 : b.emitted - b.watermarkReady,
                        b.visible == 0 ? -1 : b.visible - b.emitted);
            }
        }
        List<Burst> seen = bursts.stream().filter(b -> b.visible > 0 && b.emitted > 0).toList();
        System.out.printf(Locale.ROOT, "bursts %d, alerts seen %d%n", bursts.size(), seen.size());
        summary("emitted (crossing event produced -> alert event.created)", seen, b -> b.emitted - b.crossing);
        summary("visible (crossing event produced -> read_committed consumer)", seen, b -> b.visible - b.crossing);
        summary("  watermark wait (-> watermark can pass it)", seen, b -> b.watermarkReady - b.crossing);
        summary("  detector (-> emission)", seen, b -> b.emitted - b.watermarkReady);
        summary("  commit (emission -> visible)", seen, b -> b.visible - b.emitted);
        List<Burst> early = seen.stream().filter(b -> b.earlyVisible > 0).toList();
        if (!early.isEmpty()) {
            System.out.printf(Locale.ROOT, "provisional alerts (detector.early-alerts) for %d of %d bursts%n",
                    early.size(), seen.size());
            summary("early: emitted (crossing event produced -> provisional event.created)", early,
                    b -> b.earlyEmitted - b.crossing);
            summary("early: visible (crossing event produced -> read_committed consumer)", early,
                    b -> b.earlyVisible - b.crossing);
        }
    }

    private interface Metric {
        long of(Burst b);
    }

    private static void summary(String title, List<Burst> bursts, Metric m) {
        long[] v = bursts.stream().mapToLong(m::of).sorted().toArray();
        if (v.length == 0) {
            System.out.println(title + ": no samples");
            return;
        }
        System.out.printf(Locale.ROOT, "%-64s p50 %6.2f s  p99 %6.2f s  min %6.2f s  max %6.2f s%n", title,
                rank(v, 0.50) / 1000.0, rank(v, 0.99) / 1000.0, v[0] / 1000.0, v[v.length - 1] / 1000.0);
    }

    /** Nearest-rank percentile. */
    private static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void consume(String bootstrap, String topic, Map<String, Burst> byUser, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-probe-" + System.nanoTime());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    try {
                        JsonNode alert = MAPPER.readTree(r.value());
                        Burst b = byUser.get(alert.at("/user/name").asText());
                        if (b != null && "provisional".equals(alert.at("/secret_recon/status").asText())
                                && b.earlyVisible == 0) {
                            b.earlyEmitted = Instant.parse(alert.at("/event/created").asText()).toEpochMilli();
                            b.earlyVisible = now;
                        }
                        if (b != null && alert.at("/secret_recon/revision").asInt() == 1 && b.visible == 0) {
                            b.emitted = Instant.parse(alert.at("/event/created").asText()).toEpochMilli();
                            b.visible = now;
                        }
                    } catch (IOException e) {
                        System.err.println("probe: unreadable alert: " + e.getMessage());
                    }
                }
            }
        }
    }

    private static byte[] background(long t, SplittableRandom random) throws IOException {
        int k = random.nextInt(100);
        int client = random.nextInt(500);
        String user = "system:serviceaccount:web:app-" + client;
        String ip = "10.244." + (client / 250) + "." + (client % 250 + 2);
        String agent = "Go-http-client/2.0";
        if (k < 10) {
            return document(t, user, ip, agent, "get", "secrets", "web", "app-" + client + "-db-credentials", random);
        }
        if (k < 40) {
            return document(t, "system:kube-controller-manager", "10.0.0.10",
                    "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election", "update", "leases",
                    "kube-system", "kube-controller-manager", random);
        }
        return document(t, user, ip, agent, random.nextBoolean() ? "list" : "watch", "pods", "web", null, random);
    }

    /** An ECS document as Elastic's Kubernetes integration stores it; event.ingested is the produce time. */
    private static byte[] document(long ingested, String user, String ip, String agent, String verb, String resource,
            String namespace, String name, SplittableRandom random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", Instant.ofEpochMilli(ingested - 2).toString());
            g.writeObjectFieldStart("data_stream");
            g.writeStringField("dataset", "kubernetes.audit_logs");
            g.writeStringField("namespace", "default");
            g.writeStringField("type", "logs");
            g.writeEndObject();
            g.writeObjectFieldStart("event");
            g.writeStringField("action", verb);
            g.writeStringField("dataset", "kubernetes.audit_logs");
            g.writeStringField("ingested", Instant.ofEpochMilli(ingested).toString());
            g.writeStringField("kind", "event");
            g.writeStringField("module", "kubernetes");
            g.writeEndObject();
            g.writeObjectFieldStart("kubernetes");
            g.writeObjectFieldStart("audit");
            g.writeObjectFieldStart("annotations");
            g.writeStringField("authorization_k8s_io/decision", "allow");
            g.writeStringField("authorization_k8s_io/reason", "RBAC: allowed by RoleBinding \"reader/" + namespace + "\"");
            g.writeEndObject();
            g.writeStringField("auditID", new java.util.UUID(random.nextLong(), random.nextLong()).toString());
            g.writeStringField("kind", "Event");
            g.writeStringField("level", "Metadata");
            g.writeObjectFieldStart("objectRef");
            if (name != null) {
                g.writeStringField("name", name);
            }
            g.writeStringField("namespace", namespace);
            g.writeStringField("resource", resource);
            g.writeEndObject();
            g.writeStringField("stage", "ResponseComplete");
            g.writeObjectFieldStart("user");
            g.writeStringField("username", user);
            g.writeEndObject();
            g.writeStringField("verb", verb);
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("source");
            g.writeStringField("ip", ip);
            g.writeEndObject();
            g.writeObjectFieldStart("user");
            g.writeStringField("name", user);
            g.writeEndObject();
            g.writeObjectFieldStart("user_agent");
            g.writeStringField("original", agent);
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
