package io.secretrecon.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.EventTimes;
import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.exceptions.ExceptionChanges;
import io.secretrecon.rule.exceptions.ExceptionEntries;
import io.secretrecon.rule.exceptions.ExceptionEntry;
import io.secretrecon.rule.exceptions.ExceptionRecord;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/exceptions.sh}: adds, removes and lists the rule exceptions of a control topic
 * ({@code rule.exceptions-topic}). An entry is validated with the job's own rules before it is
 * written, and the listing folds the topic exactly as the job does ({@link ExceptionChanges}), so
 * it shows what is in force and which records the job refuses.
 *
 * <pre>
 * add     --id ID --field FIELD --operator OP --value V [--value V ...] [--decision allow]
 *         [--expires TIME] [--effective TIME] [--author NAME] --comment TEXT
 * add     --json '{"id": ..., ...}'           (--author defaults to $USER, else the JVM's user.name)
 * remove  ID
 * list    [--json]          (--json: one entry per line, the format of rule.exceptions-file)
 * common  [--bootstrap-servers HOST:PORT] [--topic TOPIC] [--property KEY=VALUE ...]
 * </pre>
 *
 * Exit codes: 0 done, 1 Kafka failed, 2 bad usage or an entry the job would refuse.
 */
public final class ExceptionsTool {

    public static final String DEFAULT_TOPIC = "k8s-secret-recon-exceptions";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, List<String>> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    ExceptionsTool(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs one command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return new ExceptionsTool(out, err).run(args);
    }

    private int run(String[] args) {
        if (args.length == 0) {
            return usage("a command is required: add, remove or list");
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json") && (args[0].equals("list") || i + 1 >= args.length)) {
                options.computeIfAbsent("json", k -> new ArrayList<>()).add("true");
            } else if (a.startsWith("--")) {
                if (i + 1 >= args.length) {
                    return usage("missing value after " + a);
                }
                options.computeIfAbsent(a.substring(2), k -> new ArrayList<>()).add(args[++i]);
            } else {
                positional.add(a);
            }
        }
        try {
            switch (args[0]) {
                case "add":
                    return add();
                case "remove":
                    return remove();
                case "list":
                    return list();
                default:
                    return usage("unknown command '" + args[0] + "'");
            }
        } catch (Usage u) {
            return usage(u.getMessage());
        } catch (ExecutionException | org.apache.kafka.common.KafkaException | java.util.concurrent.TimeoutException e) {
            err.println("exceptions: Kafka at " + bootstrap() + " failed: " + (e.getCause() != null ? e.getCause() : e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    // ---------------------------------------------------------------- commands

    private int add() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        String json = one("json");
        if (json == null) {
            json = entryJson();
        }
        ExceptionEntries.Parsed parsed = ExceptionEntries.parse(json, null, System.currentTimeMillis());
        if (!parsed.ok()) {
            err.println("exceptions: the job would refuse this entry: " + parsed.error);
            return 2;
        }
        ensureTopic();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic(), parsed.entry.id, json))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long effective = parsed.effectiveGiven ? parsed.entry.effective : m.timestamp();
            out.println("added " + parsed.entry.describe() + " to " + topic() + "@" + m.offset()
                    + ", for events from " + EventTimes.format(effective)
                    + (parsed.entry.expires == ExceptionEntry.NEVER ? "" : " to " + EventTimes.format(parsed.entry.expires)));
        }
        return 0;
    }

    private int remove() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        String id = positional.size() == 1 ? positional.get(0) : one("id");
        if (id == null) {
            throw new Usage("remove takes the id of an exception");
        }
        ensureTopic(); // not left to the broker's auto-creation, which would not compact it
        Folded before = fold();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic(), id, null)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            out.println("removed " + id + " (tombstone at " + topic() + "@" + m.offset() + ")"
                    + (before.entries.containsKey(id) ? "" : "; it was not in force"));
        }
        return 0;
    }

    private int list() throws ExecutionException, InterruptedException {
        Folded f = fold();
        if (options.containsKey("json")) {
            f.entries.values().forEach(e -> out.println(ExceptionEntries.toJson(e)));
            return 0;
        }
        long now = System.currentTimeMillis();
        out.println(f.entries.size() + " exceptions in " + topic() + " (status by the wall clock; the job applies them by"
                + " event time)");
        for (ExceptionEntry e : f.entries.values()) {
            String status = now < e.effective ? "not yet" : now >= e.expires ? "expired" : "in force";
            out.println("  " + e.describe() + "  [" + status + "]  from " + EventTimes.format(e.effective)
                    + (e.expires == ExceptionEntry.NEVER ? "" : " to " + EventTimes.format(e.expires))
                    + "  by " + e.author + ": " + e.comment);
        }
        for (DeadLetter d : f.refused) {
            out.println("  refused by the job: " + d.origin + ": " + d.detail);
        }
        return 0;
    }

    // ---------------------------------------------------------------- Kafka

    private static final class Folded {
        final TreeMap<String, ExceptionEntry> entries = new TreeMap<>();
        final List<DeadLetter> refused = new ArrayList<>();
    }

    /** The topic read to its end and folded as the job folds it. */
    private Folded fold() throws ExecutionException, InterruptedException {
        Folded f = new Folded();
        Properties p = clientProperties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        int max = Integer.parseInt(Optional.ofNullable(one("max")).orElse("1000"));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            var infos = consumer.partitionsFor(topic(), TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return f;
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic(), i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            while (!atEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new ExecutionException(new java.util.concurrent.TimeoutException("reading " + topic() + " to its end"));
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    ExceptionChanges c = ExceptionChanges.apply(ExceptionRecord.kafka(r.key(), r.value(),
                            r.timestamp() >= 0 ? r.timestamp() : Long.MIN_VALUE,
                            RecordOrigin.kafka(r.topic(), r.partition(), r.offset())), f.entries, max);
                    c.removals.forEach(f.entries::remove);
                    f.entries.putAll(c.puts);
                    f.refused.addAll(c.deadLetters);
                }
            }
        }
        return f;
    }

    private static boolean atEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Creates the topic (compacted, one partition) if it does not exist, and waits for its leader. */
    private void ensureTopic() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(clientProperties())) {
            try {
                admin.describeTopics(List.of(topic())).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            admin.createTopics(List.of(new NewTopic(topic(), Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            err.println("exceptions: created the compacted topic " + topic());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                TopicDescription d = admin.describeTopics(List.of(topic())).allTopicNames()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(topic());
                if (d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new java.util.concurrent.TimeoutException("no leader for " + topic());
                }
                Thread.sleep(100); // polling the broker's metadata, bounded by the deadline
            }
        }
    }

    private Properties producerProperties() {
        Properties p = clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return p;
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        for (String kv : options.getOrDefault("property", List.of())) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new Usage("--property takes KEY=VALUE, got '" + kv + "'");
            }
            p.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return p;
    }

    private String bootstrap() {
        String b = one("bootstrap-servers");
        if (b == null) {
            b = System.getenv("SECRET_RECON_KAFKA_BOOTSTRAP");
        }
        return b == null || b.isBlank() ? "127.0.0.1:9092" : b;
    }

    private String topic() {
        String t = one("topic");
        if (t == null) {
            t = System.getenv("SECRET_RECON_EXCEPTIONS_TOPIC");
        }
        return t == null || t.isBlank() ? DEFAULT_TOPIC : t;
    }

    // ---------------------------------------------------------------- arguments

    /** The entry's JSON from --id, --field, --operator, --value ..., --decision, --expires, --effective, --author, --comment. */
    private String entryJson() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("id", required("id"));
            g.writeStringField("field", required("field"));
            g.writeStringField("operator", required("operator"));
            g.writeArrayFieldStart("values");
            for (String v : options.getOrDefault("value", List.of())) {
                g.writeString(v);
            }
            g.writeEndArray();
            for (String optional : List.of("decision", "expires", "effective")) {
                if (one(optional) != null) {
                    g.writeStringField(optional, one(optional));
                }
            }
            String author = one("author") != null ? one("author") : System.getenv("USER");
            if (author == null || author.isBlank()) {
                author = System.getProperty("user.name");
            }
            g.writeStringField("author", author == null ? "" : author);
            g.writeStringField("comment", required("comment"));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private String one(String name) {
        List<String> v = options.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw new Usage("--" + name + " given twice");
        }
        return v.get(0);
    }

    private String required(String name) {
        String v = one(name);
        if (v == null) {
            throw new Usage("add needs --" + name + " (or --json)");
        }
        return v;
    }

    private int usage(String problem) {
        err.println("exceptions: " + problem);
        err.println("usage: scripts/exceptions.sh add --id ID --field FIELD --operator 'is'|'is one of'|'matches'|'ip in cidr'");
        err.println("                                 --value V [--value V ...] [--decision allow] [--expires TIME]");
        err.println("                                 [--effective TIME] [--author NAME] --comment TEXT");
        err.println("       scripts/exceptions.sh add --json '{\"id\": ..., ...}'");
        err.println("       scripts/exceptions.sh remove ID");
        err.println("       scripts/exceptions.sh list [--json]");
        err.println("  all: [--bootstrap-servers HOST:PORT] [--topic TOPIC] [--property KEY=VALUE ...]");
        return 2;
    }

    private static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }
}
