package io.secretrecon.testutil;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Kafka KRaft broker for one test class, started and stopped through
 * {@code scripts/kafka.sh} (a separate JVM, so a test can stop and restart it):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBroker KAFKA = new KafkaBroker();
 * }</pre>
 *
 * <p>The broker listens on a random free port of 127.0.0.1 (its controller on the next port),
 * keeps its data, {@code broker.log} and the script's output ({@code kafka-sh.log}) in
 * {@code target/kafka-it/<port>}, and is stopped after the last test of the class, also when
 * tests fail (and by a shutdown hook if the JVM exits first).
 *
 * <p>With the environment variable {@value #BOOTSTRAP_ENV} set (e.g. {@code 127.0.0.1:9092}
 * after {@code scripts/kafka.sh start}), that broker is used instead and nothing is started;
 * {@link #stop()} and {@link #start()} then throw {@link UnsupportedOperationException}, and
 * tests must use unique topic names and transactional ids (see {@link #isExternal()}).
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    public static final String BOOTSTRAP_ENV = "SECRET_RECON_KAFKA_BOOTSTRAP";

    private static final long START_TIMEOUT_SECONDS = 240; // includes the first jar download
    private static final long STOP_TIMEOUT_SECONDS = 90;
    private static final int START_ATTEMPTS = 3; // a new port if a free port was taken meanwhile
    private static final long ADMIN_TIMEOUT_SECONDS = 60;
    private static final long TOPIC_READY_TIMEOUT_SECONDS = 60;
    private static final long POLL_INTERVAL_MILLIS = 50; // between checks of the topic's state, not a wait for it
    private static final Map<String, String> KEEP_EVERY_RECORD = Map.of("retention.ms", "-1");

    private final String externalBootstrap;
    private String ownerId; // the unique id of the class context that started the broker
    private Path repoDir;
    private Path kafkaDir;
    private int port;
    private volatile boolean running;
    private ServerScript script;

    public KafkaBroker() {
        String env = System.getenv(BOOTSTRAP_ENV);
        this.externalBootstrap = env == null || env.isBlank() ? null : env.trim();
    }

    // ---- JUnit ----------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (ownerId != null) {
            return; // @Nested classes share the outer class's broker
        }
        ownerId = context.getUniqueId();
        if (externalBootstrap != null) {
            return;
        }
        repoDir = ServerScript.findRepoDir("kafka");
        IOException lastFailure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            port = freePortPair();
            kafkaDir = repoDir.resolve("target/kafka-it/" + port);
            script = new ServerScript(repoDir, "kafka", kafkaDir, Map.of("KAFKA_PORT", Integer.toString(port),
                    "KAFKA_CONTROLLER_PORT", Integer.toString(port + 1), "KAFKA_DIR", kafkaDir.toString()),
                    "broker on 127.0.0.1:" + port, "broker.log");
            ServerScript.deleteRecursively(kafkaDir);
            Files.createDirectories(kafkaDir);
            try {
                start();
                return;
            } catch (IOException e) {
                lastFailure = e;
                try {
                    script.run("stop", STOP_TIMEOUT_SECONDS); // in case the script was cut short
                } catch (IOException stopFailure) {
                    e.addSuppressed(stopFailure);
                }
                String log = script.logTails();
                if (!log.contains("Address already in use") && !log.contains("already in use by another process")) {
                    break;
                }
            }
        }
        throw lastFailure;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!context.getUniqueId().equals(ownerId)) {
            return;
        }
        ownerId = null;
        if (externalBootstrap == null && running) {
            stop();
        }
    }

    // ---- API --------------------------------------------------------------------------------

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        if (externalBootstrap != null) {
            return externalBootstrap;
        }
        if (port == 0) {
            throw new IllegalStateException("the broker has not been started yet (register the extension with @RegisterExtension)");
        }
        return "127.0.0.1:" + port;
    }

    /** Whether an already running broker ({@value #BOOTSTRAP_ENV}) is used. */
    public boolean isExternal() {
        return externalBootstrap != null;
    }

    /** The broker's directory (data, {@code broker.log}, {@code kafka-sh.log}); null when external. */
    public Path directory() {
        return kafkaDir;
    }

    /** Stops the broker (SIGTERM, a controlled shutdown); {@link #start()} brings it back with its data. */
    public synchronized void stop() throws IOException, InterruptedException {
        requireOwnBroker("stop()");
        script.run("stop", STOP_TIMEOUT_SECONDS);
        running = false;
        script.noStopOnExit();
    }

    /** Starts the broker again on the same port and data, after {@link #stop()}; returns when it answers. */
    public synchronized void start() throws IOException, InterruptedException {
        requireOwnBroker("start()");
        if (kafkaDir == null) {
            throw new IllegalStateException("the broker has not been started yet (register the extension with @RegisterExtension)");
        }
        script.stopOnExit(() -> running, STOP_TIMEOUT_SECONDS);
        script.run("start", START_TIMEOUT_SECONDS);
        running = true;
    }

    /**
     * Stops the broker, deletes its data and starts an empty one on the same port: a fresh broker
     * (no topics, no transactional ids, no producer ids) behind the same bootstrap address.
     */
    public synchronized void restartEmpty() throws IOException, InterruptedException {
        stop();
        ServerScript.deleteRecursively(kafkaDir.resolve("data"));
        start();
    }

    /** {@link #createTopic(String, int, Map)} without topic configs. */
    public void createTopic(String name, int partitions) throws InterruptedException, ExecutionException, TimeoutException {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and returns once its leader serves every
     * partition ({@link #awaitTopicServed}): a producer may write to it at once.
     *
     * <p>The topic keeps every record whatever its timestamp ({@code retention.ms=-1} unless
     * {@code config} says otherwise). Test records carry fixed event times, by now more than the
     * broker's default 7 days of retention in the past; its retention check (30 s after start,
     * then every 5 minutes) deleted such records from input and alert topics while a test was
     * still reading them.
     */
    public void createTopic(String name, int partitions, Map<String, String> config)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, String> topicConfig = new HashMap<>(KEEP_EVERY_RECORD);
        topicConfig.putAll(config);
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(topicConfig)))
                    .all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            awaitTopicServed(admin, name, partitions);
        }
    }

    /**
     * Waits until the topic has {@code partitions} partitions and each one's leader answers for
     * it; throws {@link TimeoutException} after {@value #TOPIC_READY_TIMEOUT_SECONDS} s.
     *
     * <p>A leader in {@code describeTopics} is not enough: the broker answers that from its
     * metadata cache, which learns of a new topic before the replica manager has created the
     * partitions (one after the other, tens of milliseconds on this machine). A produce request in
     * that gap gets {@code NOT_LEADER_OR_FOLLOWER}; an idempotent producer with several requests
     * in flight then had its next batch appended first and retried the first one with
     * out-of-order sequence numbers until {@code delivery.timeout.ms}, dropping its records
     * (KAFKA-15591). {@code ListOffsets} is answered by the partition leader's replica manager,
     * so once it succeeds for every partition, so does a produce request.
     */
    public void awaitTopicServed(String name, int partitions) throws InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(adminProperties())) {
            awaitTopicServed(admin, name, partitions);
        }
    }

    private static void awaitTopicServed(Admin admin, String name, int partitions)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_READY_TIMEOUT_SECONDS);
        String lastState = "not described yet";
        while (true) {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(left, TimeUnit.MILLISECONDS).get(name);
                lastState = description.toString();
                if (description.partitions().size() == partitions && description.partitions().stream()
                        .map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty())) {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (int p = 0; p < partitions; p++) {
                        latest.put(new TopicPartition(name, p), OffsetSpec.latest());
                    }
                    admin.listOffsets(latest).all().get(left, TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("waiting for topic " + name + " to be served", e.getCause());
                }
                lastState = e.getCause().toString(); // e.g. UNKNOWN_TOPIC_OR_PARTITION right after creation
            } catch (TimeoutException e) {
                lastState = "no answer within the deadline";
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("topic " + name + " is not served on every one of its " + partitions
                        + " partitions after " + TOPIC_READY_TIMEOUT_SECONDS + " s; last state: " + lastState);
            }
            Thread.sleep(POLL_INTERVAL_MILLIS);
        }
    }

    private Properties adminProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(ADMIN_TIMEOUT_SECONDS));
        return props;
    }

    // ---- the script ---------------------------------------------------------------------------

    private void requireOwnBroker(String what) {
        if (externalBootstrap != null) {
            throw new UnsupportedOperationException(what + " is not supported with an external broker (" + BOOTSTRAP_ENV + ")");
        }
    }






    // ---- helpers -------------------------------------------------------------------------------

    /** A free port P on 127.0.0.1 such that P+1 is free too (client and controller listeners). */
    private static int freePortPair() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 100; i++) {
            int candidate;
            try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                candidate = socket.getLocalPort();
            }
            if (candidate >= 65535) {
                continue;
            }
            if (isFree(candidate, loopback) && isFree(candidate + 1, loopback)) {
                return candidate;
            }
        }
        throw new IOException("no two consecutive free ports found on 127.0.0.1");
    }

    private static boolean isFree(int port, InetAddress address) {
        try {
            new ServerSocket(port, 1, address).close();
            return true;
        } catch (IOException taken) {
            return false;
        }
    }


}
