package io.secretrecon.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real single-node Elasticsearch for one test class, started and stopped through
 * {@code scripts/elasticsearch.sh} (a separate process, so a test can stop and restart it):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ElasticsearchServer ES = new ElasticsearchServer();          // or ElasticsearchServer.secured()
 * }</pre>
 *
 * <p>It listens on a free port of 127.0.0.1, keeps config, data, logs and the script's output
 * ({@code elasticsearch-sh.log}) in {@code target/elasticsearch-it/<port>} (as root under {@code /var/tmp}, see {@link #serversDir}), and is stopped after
 * the last test of the class, also when tests fail (and by a shutdown hook if the JVM exits
 * first). A secured server has basic auth for {@code elastic} with the password the script
 * generated.
 *
 * <p>With {@value #URL_ENV} set (e.g. {@code http://127.0.0.1:9200} after
 * {@code scripts/elasticsearch.sh start}; with {@value #PASSWORD_ENV} for a secured one, user
 * {@code elastic}), that server is used instead and nothing is started; {@link #stop()} and
 * {@link #start()} then throw {@link UnsupportedOperationException}. Tests use unique index names.
 *
 * <p>It is also a small REST client for the tests' checks ({@link #request}, {@link #documents}).
 */
public final class ElasticsearchServer implements BeforeAllCallback, AfterAllCallback {

    public static final String URL_ENV = "SECRET_RECON_ES_URL";
    public static final String PASSWORD_ENV = "SECRET_RECON_ES_PASSWORD";

    private static final long START_TIMEOUT_SECONDS = 300; // includes the first download of the distribution
    private static final long STOP_TIMEOUT_SECONDS = 90;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean security;
    private final String externalUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String ownerId;
    private Path repoDir;
    private Path esDir;
    private int port;
    private String password;
    private volatile boolean running;
    private ServerScript script;

    private ElasticsearchServer(boolean security) {
        this.security = security;
        String env = System.getenv(URL_ENV);
        this.externalUrl = env == null || env.isBlank() ? null : env.trim().replaceAll("/+$", "");
    }

    /** Security off. */
    public ElasticsearchServer() {
        this(false);
    }

    /** Basic auth for the user {@code elastic}. */
    public static ElasticsearchServer secured() {
        return new ElasticsearchServer(true);
    }

    // ---- JUnit ----------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (ownerId != null) {
            return;
        }
        ownerId = context.getUniqueId();
        if (externalUrl != null) {
            password = security ? System.getenv(PASSWORD_ENV) : null;
            return;
        }
        repoDir = ServerScript.findRepoDir("elasticsearch");
        port = freePort();
        esDir = serversDir(repoDir).resolve(Integer.toString(port));
        script = new ServerScript(repoDir, "elasticsearch", esDir, Map.of("ES_PORT", Integer.toString(port),
                "ES_DIR", esDir.toString(), "ES_SECURITY", Boolean.toString(security)),
                "Elasticsearch on 127.0.0.1:" + port, "logs/secret-recon-dev.log");
        ServerScript.deleteRecursively(esDir);
        Files.createDirectories(esDir);
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!context.getUniqueId().equals(ownerId)) {
            return;
        }
        ownerId = null;
        if (externalUrl == null && running) {
            stop();
        }
    }

    // ---- API --------------------------------------------------------------------------------

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        if (externalUrl != null) {
            return externalUrl;
        }
        if (port == 0) {
            throw new IllegalStateException("the server has not been started yet (register the extension with @RegisterExtension)");
        }
        return "http://127.0.0.1:" + port;
    }

    public boolean isExternal() {
        return externalUrl != null;
    }

    /** The password of {@code elastic}, or null without security. */
    public String password() {
        return password;
    }

    /** The settings for the job's Elasticsearch sink on this server, plus the given key/value pairs. */
    public Map<String, String> sinkSettings(String index, String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("elasticsearch.hosts", url());
        m.put("elasticsearch.index", index);
        if (password != null) {
            m.put("elasticsearch.username", "elastic");
            m.put("elasticsearch.password", password);
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Stops the server (SIGTERM); {@link #start()} brings it back with its data. */
    public synchronized void stop() throws IOException, InterruptedException {
        requireOwnServer("stop()");
        script.run("stop", STOP_TIMEOUT_SECONDS);
        running = false;
        script.noStopOnExit();
    }

    /** Starts the server (again, on the same port and data); returns when its health is yellow. */
    public synchronized void start() throws IOException, InterruptedException {
        requireOwnServer("start()");
        if (esDir == null) {
            throw new IllegalStateException("the server has not been started yet (register the extension with @RegisterExtension)");
        }
        script.stopOnExit(() -> running, STOP_TIMEOUT_SECONDS);
        script.run("start", START_TIMEOUT_SECONDS);
        running = true;
        if (security) {
            password = Files.readString(esDir.resolve("elastic-password")).trim();
        }
    }

    // ---- REST -------------------------------------------------------------------------------

    /** An answer: the HTTP status and the body as JSON (null when empty or not JSON). */
    public record Answer(int status, JsonNode body) {}

    /** Sends a request with {@code elastic}'s credentials (if any); {@code body} may be null. */
    public Answer request(String method, String path, String body) {
        return request(method, path, body, password);
    }

    /** Sends a request as {@code elastic} with the given password (null: no credentials). */
    public Answer request(String method, String path, String body, String withPassword) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
        if (withPassword != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("elastic:" + withPassword).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (!r.body().isEmpty()) {
                try {
                    json = JSON.readTree(r.body());
                } catch (IOException notJson) {
                    json = null;
                }
            }
            return new Answer(r.statusCode(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #request(String, String, String)}, failing unless the status is 2xx. */
    public JsonNode ok(String method, String path, String body) {
        Answer a = request(method, path, body);
        if (a.status() / 100 != 2) {
            throw new AssertionError(method + " " + path + " answered " + a.status() + ": " + a.body());
        }
        return a.body();
    }

    /**
     * Every document of an index after a refresh, by {@code _id}: the search hit with
     * {@code _source}, {@code _version}, {@code _seq_no} and {@code _primary_term}. An index that
     * does not exist has none.
     */
    public Map<String, JsonNode> documents(String index) {
        Answer refresh = request("POST", "/" + index + "/_refresh", null);
        if (refresh.status() == 404) {
            return Map.of();
        }
        JsonNode hits = ok("POST", "/" + index + "/_search",
                "{\"size\":10000,\"version\":true,\"seq_no_primary_term\":true,\"sort\":[\"_doc\"],\"query\":{\"match_all\":{}}}");
        Map<String, JsonNode> out = new LinkedHashMap<>();
        hits.at("/hits/hits").forEach(h -> out.put(h.get("_id").asText(), h));
        return out;
    }

    /** The number of documents a query matches, after a refresh. */
    public long count(String index, String query) {
        ok("POST", "/" + index + "/_refresh", null);
        return ok("POST", "/" + index + "/_count", "{\"query\":" + query + "}").get("count").asLong();
    }

    // ---- the script ---------------------------------------------------------------------------

    private void requireOwnServer(String what) {
        if (externalUrl != null) {
            throw new UnsupportedOperationException(what + " is not supported with an external server (" + URL_ENV + ")");
        }
    }






    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Where each test server's directory goes: {@code target/elasticsearch-it}, unless the tests
     * run as root. Then Elasticsearch runs as an unprivileged user ({@code scripts/elasticsearch.sh}),
     * who may not be able to traverse the checkout's path (a clone under a private {@code mktemp -d}
     * or under {@code /root}); the directories go under {@code /var/tmp} then, one per checkout.
     */
    private static Path serversDir(Path repoDir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return repoDir.resolve("target/elasticsearch-it");
        }
        return Path.of("/var/tmp", "secret-recon-it-" + Integer.toHexString(repoDir.toString().hashCode()), "elasticsearch");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }


}
