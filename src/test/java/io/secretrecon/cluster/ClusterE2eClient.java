package io.secretrecon.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretrecon.event.EventTimes;
import io.secretrecon.tools.WorkloadGenerator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Kafka side of {@code scripts/cluster-e2e.sh}: writes the workload, creates topics, produces
 * audit events and checks what a {@code read_committed} consumer sees against the alerts of a
 * bounded run over the same events. Every call is bounded in time; it talks to the broker given.
 *
 * <pre>
 * generate --out DIR [--events 6000] [--bursts 8] [--seed 11] [--split burst|FRACTION] [--partitions 3]
 *     DIR/phase-1.ndjson  ECS events before the split (by event time): the middle of the largest
 *                         attack burst (default), or that fraction of the two hours
 *     DIR/phase-2.ndjson  the rest, then one "flush" event per partition an hour after the last,
 *                         so every episode closes and the streaming run emits what a bounded
 *                         run emits at its end
 *     DIR/all.ndjson      both phases: the reference run's input
 * topics   --bootstrap HOST:PORT NAME:PARTITIONS ...   create them, wait for every leader
 * produce  --bootstrap HOST:PORT --topic T --file F --partitions P [--duration-ms 0] [--progress FILE]
 *     line i goes to partition i % P (each partition in event-time order); --duration-ms spreads
 *     the records over that time; --progress is rewritten with "sent total" as it goes
 * check    --bootstrap HOST:PORT --topic T --expect ALERTS.ndjson [--dlq-topic T --expect-dlq N]
 *          [--across TIME] [--timeout-s 120] [--linger-s 8]
 *     --across: fail unless some incident of the reference has revisions before and after TIME
 *     reads the topic read_committed until every expected alert (kibana.alert.uuid + revision) is
 *     there or the time-out, then lingers for late duplicates; exit 0 only if every expected alert
 *     is there exactly once, equal to the reference but for event.created, and nothing else is
 * </pre>
 *
 * ECS documents are used because their event time is their {@code event.ingested} field; raw
 * events would take the Kafka record timestamp, which differs between runs.
 */
public final class ClusterE2eClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private ClusterE2eClient() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: generate|topics|produce|check ... (see the class comment)");
        }
        Map<String, String> opts = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + args[i]);
                }
                opts.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        int exit;
        switch (args[0]) {
            case "generate": exit = generate(opts); break;
            case "topics": exit = topics(opts, positional); break;
            case "produce": exit = produce(opts); break;
            case "check": exit = check(opts); break;
            default: throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.exit(exit);
    }

    private static String required(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    // ------------------------------------------------------------------ generate

    private static int generate(Map<String, String> opts) throws IOException {
        Path out = Path.of(required(opts, "out"));
        int events = Integer.parseInt(opts.getOrDefault("events", "6000"));
        int bursts = Integer.parseInt(opts.getOrDefault("bursts", "8"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "11"));
        String split = opts.getOrDefault("split", "burst");
        int partitions = Integer.parseInt(opts.getOrDefault("partitions", "3"));
        long start = EventTimes.parse(opts.getOrDefault("start", "2026-11-02T08:00:00Z"));
        long duration = Duration.ofHours(2).toMillis();

        List<WorkloadGenerator.Event> generated = new WorkloadGenerator(seed, start, duration).generate(events, bursts);
        long cut = split.equals("burst") ? middleOfLargestBurst(generated) : start + (long) (Double.parseDouble(split) * duration);
        long last = generated.stream().mapToLong(e -> e.received).max().orElse(start);
        Files.createDirectories(out);
        int[] counts = new int[2];
        try (BufferedWriter p1 = Files.newBufferedWriter(out.resolve("phase-1.ndjson"));
                BufferedWriter p2 = Files.newBufferedWriter(out.resolve("phase-2.ndjson"))) {
            int style = 0;
            for (WorkloadGenerator.Event e : generated) {
                boolean first = e.received < cut;
                BufferedWriter w = first ? p1 : p2;
                // nested, dotted and mixed ECS documents in turn
                w.write(WorkloadGenerator.ecs(e, 0, style++ % 3));
                w.newLine();
                counts[first ? 0 : 1]++;
            }
            for (int p = 0; p < partitions; p++) {
                WorkloadGenerator.Event flush = new WorkloadGenerator.Event();
                flush.received = last + Duration.ofHours(1).toMillis() + p;
                flush.verb = "list";
                flush.user = "system:serviceaccount:monitoring:prometheus";
                flush.sourceIps = List.of("10.0.5.50");
                flush.userAgent = "Prometheus/2.54.1";
                flush.resource = "pods";
                flush.namespace = "monitoring";
                flush.name = "flush-" + p;
                flush.auditId = "flush-" + p;
                p2.write(WorkloadGenerator.ecs(flush, 0, 0));
                p2.newLine();
                counts[1]++;
            }
        }
        Files.writeString(out.resolve("cut.txt"), EventTimes.format(cut) + "\n");
        Path all = out.resolve("all.ndjson");
        Files.copy(out.resolve("phase-1.ndjson"), all, StandardCopyOption.REPLACE_EXISTING);
        Files.write(all, Files.readAllBytes(out.resolve("phase-2.ndjson")), java.nio.file.StandardOpenOption.APPEND);
        System.err.printf("generated %d ECS events: phase 1 %d (before %s), phase 2 %d (with %d flush events)%n",
                counts[0] + counts[1], counts[0], EventTimes.format(cut), counts[1], partitions);
        return 0;
    }

    /**
     * The time of the middle secret of the burst with the most secrets: cutting there leaves an
     * episode open across the savepoint, so the resumed job must carry its state over to give the
     * reference's revisions.
     */
    private static long middleOfLargestBurst(List<WorkloadGenerator.Event> events) {
        Map<String, List<Long>> bursts = new TreeMap<>();
        for (WorkloadGenerator.Event e : events) {
            if (e.name != null && e.name.startsWith("target-")) {
                bursts.computeIfAbsent(e.name.substring(0, e.name.lastIndexOf('-')), b -> new ArrayList<>()).add(e.received);
            }
        }
        List<Long> largest = bursts.values().stream().max(java.util.Comparator.comparingInt(List::size))
                .orElseThrow(() -> new IllegalStateException("the workload has no burst"));
        largest.sort(null);
        return largest.get(largest.size() / 2);
    }

    // ------------------------------------------------------------------ topics

    private static Properties clientProps(Map<String, String> opts) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, required(opts, "bootstrap"));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    private static int topics(Map<String, String> opts, List<String> specs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(clientProps(opts))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String spec : specs) {
                String[] parts = spec.split(":");
                topics.add(new NewTopic(parts[0], Integer.parseInt(parts[1]), (short) 1));
            }
            for (NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            // Producing before every partition has a leader can loop for minutes (INFRA.md).
            List<String> names = topics.stream().map(NewTopic::name).collect(Collectors.toList());
            while (true) {
                try {
                    Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                    boolean ready = d.values().stream().allMatch(td -> td.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                    if (ready && d.size() == names.size()) {
                        System.err.println("topics ready: " + specs);
                        return 0;
                    }
                } catch (ExecutionException e) {
                    // not known yet: retry until the deadline
                }
                if (System.nanoTime() > deadline) {
                    System.err.println("topics " + names + " have no leader for every partition after 60 s");
                    return 1;
                }
                Thread.sleep(200);
            }
        }
    }

    // ------------------------------------------------------------------ produce

    private static int produce(Map<String, String> opts) throws Exception {
        String topic = required(opts, "topic");
        List<String> lines = Files.readAllLines(Path.of(required(opts, "file")), StandardCharsets.UTF_8);
        int partitions = Integer.parseInt(required(opts, "partitions"));
        long spread = Long.parseLong(opts.getOrDefault("duration-ms", "0"));
        Path progress = opts.containsKey("progress") ? Path.of(opts.get("progress")) : null;

        Properties p = clientProps(opts);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (spread > 0) {
                    long due = t0 + TimeUnit.MILLISECONDS.toNanos(spread * i / lines.size());
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                pending.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, lines.get(i).getBytes(StandardCharsets.UTF_8))));
                if (progress != null && (i % 100 == 0 || i == lines.size() - 1)) {
                    writeProgress(progress, i + 1, lines.size());
                }
            }
            producer.flush();
            for (Future<?> f : pending) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        System.err.printf("produced %d records to %s in %.1f s%n", lines.size(), topic, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static void writeProgress(Path file, int sent, int total) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sent + " " + total + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------ check

    private static int check(Map<String, String> opts) throws Exception {
        String topic = required(opts, "topic");
        long timeout = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout-s", "120")));
        long linger = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("linger-s", "8")));

        Map<String, String> expected = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(required(opts, "expect")), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode alert = JSON.readTree(line);
                if (expected.put(alertKey(alert), normalized(alert)) != null) {
                    System.err.println("the reference itself repeats " + alertKey(alert));
                    return 1;
                }
            }
        }

        if (opts.containsKey("across")) {
            // The upgrade must be tested with an incident open at the savepoint: one revision
            // emitted before the cut and one after.
            long cut = EventTimes.parse(opts.get("across"));
            Map<String, long[]> span = new TreeMap<>();
            for (String doc : expected.values()) {
                JsonNode a = JSON.readTree(doc);
                long t = EventTimes.parse(a.get("@timestamp").asText());
                long[] mm = span.computeIfAbsent(a.at("/kibana/alert/uuid").asText(), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                mm[0] = Math.min(mm[0], t);
                mm[1] = Math.max(mm[1], t);
            }
            long across = span.values().stream().filter(mm -> mm[0] < cut && mm[1] > cut).count();
            if (across == 0) {
                System.err.println("no incident of the reference has revisions on both sides of " + opts.get("across")
                        + ": the upgrade would not test state carried in the savepoint");
                return 1;
            }
            System.err.println(across + " incident(s) open across the savepoint at " + opts.get("across"));
        }

        Map<String, List<String>> seen = new LinkedHashMap<>();
        List<String> badKeys = new ArrayList<>();
        long start = System.nanoTime();
        long completeAt = -1;
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(opts)) {
            List<TopicPartition> parts = partitions(consumer, topic);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode alert = JSON.readTree(r.value());
                    String key = alertKey(alert);
                    String recordKey = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (!alert.at("/kibana/alert/uuid").asText().equals(recordKey)) {
                        badKeys.add(key + " has record key " + recordKey);
                    }
                    seen.computeIfAbsent(key, k -> new ArrayList<>()).add(normalized(alert));
                }
                long now = System.nanoTime();
                if (completeAt < 0 && seen.keySet().containsAll(expected.keySet())) {
                    completeAt = now;
                    System.err.printf("all %d expected alerts committed after %.1f s; lingering %d s for duplicates%n",
                            expected.size(), (now - start) / 1e9, TimeUnit.NANOSECONDS.toSeconds(linger));
                }
                if ((completeAt >= 0 && now - completeAt > linger) || now - start > timeout) {
                    break;
                }
            }
        }

        List<String> problems = new ArrayList<>(badKeys);
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(seen.keySet());
        missing.forEach(k -> problems.add("missing " + k));
        seen.forEach((k, docs) -> {
            if (!expected.containsKey(k)) {
                problems.add("unexpected " + k + " (x" + docs.size() + ")");
            } else if (docs.size() > 1) {
                problems.add("duplicated " + k + " x" + docs.size());
            } else if (!docs.get(0).equals(expected.get(k))) {
                problems.add("differs " + k + ":\n  expected " + expected.get(k) + "\n  actual   " + docs.get(0));
            }
        });
        if (opts.containsKey("dlq-topic")) {
            long dlq = count(opts, opts.get("dlq-topic"));
            long want = Long.parseLong(opts.getOrDefault("expect-dlq", "0"));
            if (dlq != want) {
                problems.add("dead letters: " + dlq + " committed, " + want + " expected");
            }
        }
        int records = seen.values().stream().mapToInt(List::size).sum();
        if (problems.isEmpty()) {
            System.err.printf("OK: %d alerts (%d incidents) committed exactly once, equal to the reference%n",
                    records, expected.keySet().stream().map(k -> k.substring(0, k.indexOf('#'))).distinct().count());
            return 0;
        }
        System.err.printf("FAILED: %d committed alert records, %d expected; %d problems:%n", records, expected.size(), problems.size());
        problems.stream().limit(40).forEach(p -> System.err.println("  " + p));
        return 1;
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(Map<String, String> opts) {
        Properties p = clientProps(opts);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, CLIENT_TIMEOUT).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .collect(Collectors.toList());
    }

    /** Committed records in a topic: a read_committed consumer's end offsets stop at the last stable offset. */
    private static long count(Map<String, String> opts, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(opts)) {
            List<TopicPartition> parts = partitions(consumer, topic);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, CLIENT_TIMEOUT);
            long n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> consumer.position(tp, CLIENT_TIMEOUT) < end.get(tp))
                    && System.nanoTime() < deadline) {
                n += consumer.poll(Duration.ofMillis(500)).count();
            }
            return n;
        }
    }

    private static String alertKey(JsonNode alert) {
        return alert.at("/kibana/alert/uuid").asText() + "#" + alert.at("/secret_recon/revision").asInt();
    }

    /** The alert without its wall-clock field. */
    private static String normalized(JsonNode alert) {
        ObjectNode copy = alert.deepCopy();
        JsonNode event = copy.get("event");
        if (event instanceof ObjectNode) {
            ((ObjectNode) event).remove("created");
        }
        return copy.toString();
    }
}
