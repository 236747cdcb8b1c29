package io.secretrecon.io.elasticsearch;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.Settings;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code elasticsearch.*} settings of the Elasticsearch alert sink, typed and validated.
 * {@link #from(Function)} reads raw text values by key (secrets already resolved from
 * {@code ${env:...}} or {@code ${file:...}}) and throws a {@link ConfigException} naming the key
 * for anything that cannot work. The password and the API key never appear in an exception,
 * a log line or {@link #toString()}.
 *
 * <p>The CA file is read when the settings are built, on the machine that starts the job, and
 * travels with the settings: TaskManagers do not need the file.
 */
public final class ElasticsearchSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Every key of this sink starts with it; each is defined, with its default, in {@link Settings}. */
    public static final String PREFIX = "elasticsearch.";
    public static final String HOSTS = "elasticsearch.hosts";
    public static final String INDEX = "elasticsearch.index";
    public static final String USERNAME = "elasticsearch.username";
    public static final String PASSWORD = "elasticsearch.password";
    public static final String API_KEY = "elasticsearch.api-key";
    public static final String CA_FILE = "elasticsearch.ca-file";
    public static final String TEMPLATE_INSTALL = "elasticsearch.template.install";
    public static final String CONNECT_TIMEOUT = "elasticsearch.connect-timeout";
    public static final String REQUEST_TIMEOUT = "elasticsearch.request-timeout";
    public static final String BULK_MAX_ACTIONS = "elasticsearch.bulk.max-actions";
    public static final String BULK_MAX_BYTES = "elasticsearch.bulk.max-bytes";
    public static final String BULK_FLUSH_INTERVAL = "elasticsearch.bulk.flush-interval";
    public static final String BULK_MAX_IN_FLIGHT = "elasticsearch.bulk.max-in-flight";
    public static final String RETRY_INITIAL_BACKOFF = "elasticsearch.retry.initial-backoff";
    public static final String RETRY_MAX_BACKOFF = "elasticsearch.retry.max-backoff";

    public static final String DEFAULT_INDEX = "alerts-k8s-secret-recon";

    private final List<String> hosts;
    private final String index;
    private final String username;
    private final String password;
    private final String apiKey;
    private final String caFile;
    private final byte[] caCertificates;
    private final boolean installTemplate;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int bulkMaxActions;
    private final long bulkMaxBytes;
    private final Duration bulkFlushInterval;
    private final int bulkMaxInFlight;
    private final Duration retryInitialBackoff;
    private final Duration retryMaxBackoff;

    private ElasticsearchSettings(Reader r) {
        this.hosts = hosts(r);
        this.index = index(r.text(INDEX));
        this.username = r.text(USERNAME);
        this.password = r.rawText(PASSWORD);
        this.apiKey = r.rawText(API_KEY).trim();
        if (!username.isEmpty() && password.isEmpty()) {
            throw ConfigException.forKey(PASSWORD, "required when " + USERNAME + " is set");
        }
        if (username.isEmpty() && !password.isEmpty()) {
            throw ConfigException.forKey(USERNAME, "required when " + PASSWORD + " is set");
        }
        if (!apiKey.isEmpty() && !username.isEmpty()) {
            throw ConfigException.forKey(API_KEY, "set either " + API_KEY + " or " + USERNAME + "/" + PASSWORD + ", not both");
        }
        if (username.indexOf(':') >= 0) {
            throw ConfigException.forKey(USERNAME, "must not contain ':' (basic auth separates user and password with it)");
        }
        this.caFile = r.text(CA_FILE);
        this.caCertificates = caFile.isEmpty() ? null : readCa(caFile);
        if (caCertificates != null && hosts.stream().noneMatch(h -> h.startsWith("https:"))) {
            throw ConfigException.forKey(CA_FILE, "is set but no host in " + HOSTS + " uses https");
        }
        this.installTemplate = r.bool(TEMPLATE_INSTALL);
        this.connectTimeout = r.positiveDuration(CONNECT_TIMEOUT);
        this.requestTimeout = r.positiveDuration(REQUEST_TIMEOUT);
        this.bulkMaxActions = r.intBetween(BULK_MAX_ACTIONS, 1, 100_000);
        this.bulkMaxBytes = r.memorySize(BULK_MAX_BYTES, 1024, 100L * 1024 * 1024);
        this.bulkFlushInterval = r.positiveDuration(BULK_FLUSH_INTERVAL);
        this.bulkMaxInFlight = r.intBetween(BULK_MAX_IN_FLIGHT, 1, 64);
        this.retryInitialBackoff = r.positiveDuration(RETRY_INITIAL_BACKOFF);
        this.retryMaxBackoff = r.positiveDuration(RETRY_MAX_BACKOFF);
        if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            throw ConfigException.forKey(RETRY_MAX_BACKOFF, "must not be shorter than " + RETRY_INITIAL_BACKOFF);
        }
    }

    /**
     * Validates the raw settings.
     *
     * @param valueOf the raw text of a key, null where it is not set (lists as comma-separated text)
     * @throws ConfigException naming the first key whose value cannot work
     */
    public static ElasticsearchSettings from(Function<String, String> valueOf) {
        return new ElasticsearchSettings(new Reader(valueOf));
    }

    /** {@link #from(Function)} over a map of key to text, for tests and tools. */
    public static ElasticsearchSettings from(Map<String, String> values) {
        for (String key : values.keySet()) {
            if (!key.startsWith(PREFIX) || Settings.byKey(key) == null) {
                throw ConfigException.forKey(key, "unknown Elasticsearch setting; the keys are in README.md");
            }
        }
        return from(values::get);
    }

    private static List<String> hosts(Reader r) {
        List<String> out = new ArrayList<>();
        for (String item : r.text(HOSTS).split(",")) {
            String h = item.trim();
            if (h.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(h);
            } catch (URISyntaxException e) {
                throw ConfigException.forKey(HOSTS, "'" + h + "' is not a URL like http://127.0.0.1:9200");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw ConfigException.forKey(HOSTS, "'" + h + "' must start with http:// or https://");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw ConfigException.forKey(HOSTS, "'" + h + "' has no host name");
            }
            if (uri.getUserInfo() != null) {
                throw ConfigException.forKey(HOSTS, "a host URL must not hold credentials: use " + USERNAME + " and " + PASSWORD);
            }
            if ((uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) || uri.getQuery() != null) {
                throw ConfigException.forKey(HOSTS, "'" + h + "' must be scheme://host:port without a path");
            }
            int port = uri.getPort() < 0 ? 9200 : uri.getPort();
            String host = uri.getHost();
            out.add(scheme + "://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port);
        }
        if (out.isEmpty()) {
            throw ConfigException.forKey(HOSTS, "required: at least one http(s)://host:port");
        }
        return List.copyOf(out);
    }

    /** Elasticsearch's rules for index names. */
    static String index(String name) {
        if (name.isEmpty()) {
            throw ConfigException.forKey(INDEX, "must not be empty");
        }
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            throw ConfigException.forKey(INDEX, "'" + name + "' must be lower case");
        }
        for (char c : new char[] {'\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':'}) {
            if (name.indexOf(c) >= 0) {
                throw ConfigException.forKey(INDEX, "'" + name + "' must not contain '" + c + "'");
            }
        }
        if (name.startsWith("-") || name.startsWith("_") || name.startsWith("+") || name.equals(".") || name.equals("..")) {
            throw ConfigException.forKey(INDEX, "'" + name + "' must not start with -, _ or + and must not be . or ..");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw ConfigException.forKey(INDEX, "must be at most 255 bytes long");
        }
        return name;
    }

    private static byte[] readCa(String file) {
        byte[] pem;
        try {
            pem = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw ConfigException.forKey(CA_FILE, "cannot read " + file + ": " + e.getMessage());
        }
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw ConfigException.forKey(CA_FILE, file + " holds no certificate");
            }
        } catch (CertificateException e) {
            throw ConfigException.forKey(CA_FILE, file + " is not a PEM file of X.509 certificates: " + e.getMessage());
        }
        return pem;
    }

    /** The nodes, each normalised to {@code scheme://host:port}. */
    public List<String> hosts() {
        return hosts;
    }

    public String index() {
        return index;
    }

    /** The index template's name: the index's name. */
    public String templateName() {
        return index;
    }

    /** Empty without basic auth. */
    public String username() {
        return username;
    }

    public boolean installTemplate() {
        return installTemplate;
    }

    /** The PEM text of the CA file, or null. */
    byte[] caCertificates() {
        return caCertificates == null ? null : caCertificates.clone();
    }

    /** The {@code Authorization} header value, or null without credentials. Never log it. */
    String authorizationHeader() {
        if (!username.isEmpty()) {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        if (!apiKey.isEmpty()) {
            // An "id:key" pair is encoded here; the encoded form Elasticsearch returns is used as is.
            String encoded = apiKey.indexOf(':') >= 0
                    ? Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8))
                    : apiKey;
            return "ApiKey " + encoded;
        }
        return null;
    }

    boolean usesApiKey() {
        return !apiKey.isEmpty();
    }

    /** How the sink authenticates, for messages: never the secret itself. */
    public String authDescription() {
        if (!username.isEmpty()) {
            return "basic auth as " + username;
        }
        return apiKey.isEmpty() ? "no credentials" : "an API key";
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public int bulkMaxActions() {
        return bulkMaxActions;
    }

    public long bulkMaxBytes() {
        return bulkMaxBytes;
    }

    public Duration bulkFlushInterval() {
        return bulkFlushInterval;
    }

    public int bulkMaxInFlight() {
        return bulkMaxInFlight;
    }

    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    @Override
    public String toString() {
        return "ElasticsearchSettings{hosts=" + hosts + ", index=" + index + ", auth=" + authDescription()
                + (caFile.isEmpty() ? "" : ", ca-file=" + caFile) + ", template.install=" + installTemplate
                + ", bulk.max-actions=" + bulkMaxActions + ", bulk.max-bytes=" + bulkMaxBytes
                + ", bulk.flush-interval=" + bulkFlushInterval + ", bulk.max-in-flight=" + bulkMaxInFlight
                + ", retry.initial-backoff=" + retryInitialBackoff + ", retry.max-backoff=" + retryMaxBackoff + "}";
    }

    /** Typed reads with the defaults of {@link Settings}; every error names its key, never a secret's value. */
    private static final class Reader {
        private final Function<String, String> valueOf;

        Reader(Function<String, String> valueOf) {
            this.valueOf = valueOf;
        }

        String rawText(String key) {
            String v = valueOf.apply(key);
            return v != null ? v : Settings.byKey(key).defaultText();
        }

        String text(String key) {
            return rawText(key).trim();
        }

        Duration positiveDuration(String key) {
            String v = text(key);
            Duration d;
            try {
                d = TimeUtils.parseDuration(v);
            } catch (RuntimeException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not a duration (examples: 1s, 500ms, 2min)");
            }
            if (d.toMillis() < 1) {
                throw ConfigException.forKey(key, "must be at least 1 ms, got '" + v + "'");
            }
            return d;
        }

        int intBetween(String key, int min, int max) {
            String v = text(key);
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not an integer");
            }
            if (n < min || n > max) {
                throw ConfigException.forKey(key, "must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        }

        long memorySize(String key, long min, long max) {
            String v = text(key);
            long bytes;
            try {
                bytes = MemorySize.parse(v).getBytes();
            } catch (IllegalArgumentException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not a memory size (examples: 5mb, 512kb)");
            }
            if (bytes < min || bytes > max) {
                throw ConfigException.forKey(key, "must be between 1kb and 100mb, got '" + v + "'");
            }
            return bytes;
        }

        boolean bool(String key) {
            String v = text(key).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw ConfigException.forKey(key, "'" + v + "' is not true or false");
        }
    }
}
