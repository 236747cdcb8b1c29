package io.secretrecon.config;

import io.secretrecon.detect.DetectionMode;
import io.secretrecon.detect.DetectorSettings;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SourceIpMode;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The job's own settings (SPEC §8), typed and validated. Built from {@link RawSettings}; an
 * unknown key, a value of the wrong type or a missing required setting throws a
 * {@link ConfigException} naming the key. Flink's own options go in {@code config.yaml} or, on the
 * command line, as {@code --flink.<flink key> value}.
 */
public final class JobSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Every key the job knows, with its default ("" where there is none) and what it means. */
    public static final Map<String, String[]> KEYS = new LinkedHashMap<>();

    private static void key(String name, String defaultValue, String meaning) {
        KEYS.put(name, new String[] {defaultValue, meaning});
    }

    static {
        key("source.type", "file", "where audit events come from: file or kafka");
        key("source.path", "", "file or directory of NDJSON audit events (plain or .gz); required for source.type file");
        key("source.max-record-size", "16mb", "longer records are dead-lettered as too-large");
        key("sink.type", "stdout", "where alerts go, one or more of: stdout, file, kafka");
        key("sink.path", "", "alert file (one JSON per line); required when sink.type has file");
        key("dead-letter.type", "file", "where rejected and late records go: file, stdout or kafka");
        key("dead-letter.path", "dead-letters.ndjson", "dead-letter file (one JSON per line) for dead-letter.type file");
        key("detector.mode", "continuous", "continuous (incident alerts with revisions) or windows (Elastic parity)");
        key("detector.lookback", "6m", "trailing window length");
        key("detector.slide", "5m", "windows mode: distance between window starts (Elastic's schedule)");
        key("detector.offset", "0", "windows mode: window starts are k * slide + offset");
        key("detector.threshold", "3", "distinct secret names that make an alert");
        key("detector.update-interval", "1m", "continuous mode: minimum event time between revisions");
        key("detector.source-ip", "remote", "remote (last of sourceIPs, unforgeable) or all (exact ES|QL)");
        key("watermark.out-of-orderness", "30s", "how far behind the newest event an event may arrive");
        key("watermark.idleness", "1m", "a source split without records for this long stops holding back time");
        key("rule.excluded-source-ips", String.join(",", RuleSettings.DEFAULT_EXCLUDED_SOURCE_IPS), "source.ip values the rule drops");
        key("rule.excluded-user-names", String.join(",", RuleSettings.DEFAULT_EXCLUDED_USER_NAMES), "user.name values the rule drops");
        key("rule.excluded-secret-name-pattern", RuleSettings.DEFAULT_EXCLUDED_SECRET_NAME_PATTERN, "LIKE pattern (* and ?) of secret names the rule drops");
        key("rule.excluded-audit-usernames", String.join(",", RuleSettings.DEFAULT_EXCLUDED_AUDIT_USERNAMES), "kubernetes.audit.user.username values the rule drops");
        key("kafka.bootstrap-servers", "", "host:port list; required when anything uses Kafka");
        key("kafka.topics", "", "input topics (list); or kafka.topic-pattern");
        key("kafka.topic-pattern", "", "input topic regex; or kafka.topics");
        key("kafka.group-id", "secret-recon", "consumer group; offsets are committed on checkpoints");
        key("kafka.starting-offsets", "committed", "committed (earliest when none), earliest, latest, or a time (ISO-8601 or epoch ms)");
        key("kafka.stopping-offsets", "none", "none (run forever) or latest (stop at the offsets latest at start: a replay)");
        key("kafka.alerts-topic", "k8s-secret-recon-alerts", "alerts topic for sink.type kafka");
        key("kafka.dead-letter-topic", "k8s-secret-recon-dlq", "dead-letter topic for dead-letter.type kafka");
        key("kafka.transactional-id-prefix", "secret-recon", "prefix of the exactly-once sinks' transactional ids; unique per job");
        key("kafka.transaction-timeout", "10min", "producer transaction timeout: above checkpoint interval plus recovery, at most the broker's transaction.max.timeout.ms (15min)");
        key("local.keep-ui-open", "false", "scripts/run-local.sh: keep the web UI up after a bounded input is done");
    }

    /** Prefix of Flink options given on the command line. */
    public static final String FLINK_PREFIX = "flink.";

    /** Prefix of Kafka client properties. */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public enum SourceType { FILE, KAFKA }

    public enum SinkType { STDOUT, FILE, KAFKA }

    public enum DeadLetterType { STDOUT, FILE, KAFKA }

    private final SourceType sourceType;
    private final List<String> sourcePaths;
    private final long maxRecordBytes;
    private final Set<SinkType> sinkTypes;
    private final String sinkPath;
    private final DeadLetterType deadLetterType;
    private final String deadLetterPath;
    private final DetectorSettings detector;
    private final RuleSettings rule;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final boolean keepUiOpen;
    private final Map<String, String> flinkOptions;
    private final KafkaSettings kafka;

    private JobSettings(RawSettings raw) {
        for (String key : raw.values().keySet()) {
            boolean prefixed = (key.startsWith(FLINK_PREFIX) && key.length() > FLINK_PREFIX.length())
                    || (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length());
            if (!KEYS.containsKey(key) && !prefixed) {
                String closest = closestKey(key);
                throw ConfigException.forKey(key, "unknown setting"
                        + (closest != null ? " (did you mean " + closest + "?)" : "")
                        + "; the keys are listed in README.md, plus kafka.properties.<Kafka client property>"
                        + " and flink.<Flink option>");
            }
        }
        Reader r = new Reader(raw);
        this.sourceType = r.enumValue("source.type", SourceType.class);
        this.sourcePaths = r.list("source.path");
        if (sourceType == SourceType.FILE && sourcePaths.isEmpty()) {
            throw ConfigException.forKey("source.path", "required when source.type is file");
        }
        this.maxRecordBytes = r.memorySize("source.max-record-size");
        List<String> sinks = r.list("sink.type");
        if (sinks.isEmpty()) {
            throw ConfigException.forKey("sink.type", "at least one sink is required (stdout, file)");
        }
        Set<SinkType> types = new LinkedHashSet<>();
        for (String s : sinks) {
            types.add(Reader.parseEnum("sink.type", s, SinkType.class));
        }
        this.sinkTypes = Collections.unmodifiableSet(types);
        this.sinkPath = r.text("sink.path");
        if (sinkTypes.contains(SinkType.FILE) && sinkPath.isEmpty()) {
            throw ConfigException.forKey("sink.path", "required when sink.type includes file");
        }
        this.deadLetterType = r.enumValue("dead-letter.type", DeadLetterType.class);
        this.deadLetterPath = r.text("dead-letter.path");
        if (deadLetterType == DeadLetterType.FILE && deadLetterPath.isEmpty()) {
            throw ConfigException.forKey("dead-letter.path", "required when dead-letter.type is file");
        }
        if (deadLetterType == DeadLetterType.FILE && sinkTypes.contains(SinkType.FILE) && deadLetterPath.equals(sinkPath)) {
            throw ConfigException.forKey("dead-letter.path", "must differ from sink.path");
        }

        DetectionMode mode = r.enumValue("detector.mode", DetectionMode.class);
        Duration lookback = r.positiveDuration("detector.lookback");
        Duration slide = r.positiveDuration("detector.slide");
        Duration offset = r.duration("detector.offset");
        int threshold = r.positiveInt("detector.threshold");
        Duration updateInterval = r.duration("detector.update-interval");
        this.detector = new DetectorSettings(mode, lookback, slide, offset, threshold, updateInterval);

        SourceIpMode ipMode = r.enumValue("detector.source-ip", SourceIpMode.class);
        List<String> excludedIps = r.list("rule.excluded-source-ips");
        for (String ip : excludedIps) {
            try {
                io.secretrecon.event.IpAddresses.canonical(ip);
            } catch (IllegalArgumentException e) {
                throw ConfigException.forKey("rule.excluded-source-ips", e.getMessage());
            }
        }
        this.rule = new RuleSettings(excludedIps, r.list("rule.excluded-user-names"),
                r.text("rule.excluded-secret-name-pattern"), r.list("rule.excluded-audit-usernames"), ipMode);

        this.outOfOrderness = r.duration("watermark.out-of-orderness");
        this.idleness = r.positiveDuration("watermark.idleness");
        this.keepUiOpen = r.bool("local.keep-ui-open");

        Map<String, String> flink = new LinkedHashMap<>();
        for (String key : raw.values().keySet()) {
            if (key.startsWith(FLINK_PREFIX)) {
                flink.put(key.substring(FLINK_PREFIX.length()), raw.text(key));
            }
        }
        this.flinkOptions = Collections.unmodifiableMap(flink);
        this.kafka = usesKafka() ? readKafka(r, raw) : null;
    }

    private boolean usesKafka() {
        return sourceType == SourceType.KAFKA || sinkTypes.contains(SinkType.KAFKA)
                || deadLetterType == DeadLetterType.KAFKA;
    }

    private KafkaSettings readKafka(Reader r, RawSettings raw) {
        String servers = r.text("kafka.bootstrap-servers");
        if (servers.isEmpty()) {
            throw ConfigException.forKey("kafka.bootstrap-servers", "required when source, sink or dead-letter type is kafka");
        }
        List<String> topics = r.list("kafka.topics");
        String pattern = r.text("kafka.topic-pattern");
        if (sourceType == SourceType.KAFKA) {
            if (topics.isEmpty() == pattern.isEmpty()) {
                throw ConfigException.forKey("kafka.topics", "set exactly one of kafka.topics and kafka.topic-pattern");
            }
            if (!pattern.isEmpty()) {
                try {
                    java.util.regex.Pattern.compile(pattern);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw ConfigException.forKey("kafka.topic-pattern", "not a regular expression: " + e.getDescription());
                }
            }
        }
        String starting = r.text("kafka.starting-offsets");
        KafkaSettings.StartingOffsets startingOffsets;
        long startingTimestamp = 0;
        switch (starting.toLowerCase(Locale.ROOT)) {
            case "committed": startingOffsets = KafkaSettings.StartingOffsets.COMMITTED; break;
            case "earliest": startingOffsets = KafkaSettings.StartingOffsets.EARLIEST; break;
            case "latest": startingOffsets = KafkaSettings.StartingOffsets.LATEST; break;
            default:
                try {
                    startingTimestamp = io.secretrecon.event.EventTimes.parse(starting);
                } catch (IllegalArgumentException e) {
                    throw ConfigException.forKey("kafka.starting-offsets",
                            "'" + starting + "' is not committed, earliest, latest or a time (ISO-8601 or epoch ms)");
                }
                startingOffsets = KafkaSettings.StartingOffsets.TIMESTAMP;
        }
        String stopping = r.text("kafka.stopping-offsets").toLowerCase(Locale.ROOT);
        if (!stopping.equals("none") && !stopping.equals("latest")) {
            throw ConfigException.forKey("kafka.stopping-offsets", "'" + stopping + "' is not none or latest");
        }
        String prefix = r.text("kafka.transactional-id-prefix");
        if (prefix.isEmpty()) {
            throw ConfigException.forKey("kafka.transactional-id-prefix", "must not be empty");
        }
        Duration timeout = r.positiveDuration("kafka.transaction-timeout");
        Map<String, String> props = new LinkedHashMap<>();
        for (String key : raw.values().keySet()) {
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                props.put(key.substring(KAFKA_PROPERTIES_PREFIX.length()), raw.text(key));
            }
        }
        return new KafkaSettings(servers, topics, pattern, r.text("kafka.group-id"), startingOffsets, startingTimestamp,
                stopping.equals("latest"), r.text("kafka.alerts-topic"), r.text("kafka.dead-letter-topic"), prefix,
                timeout, props);
    }

    /** The known key nearest to a mistyped one (at most a third of it edited), or null. */
    static String closestKey(String key) {
        String best = null;
        int bestDistance = Math.max(2, key.length() / 3) + 1;
        for (String known : KEYS.keySet()) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }

    /** Validates raw settings. */
    public static JobSettings from(RawSettings raw) {
        return new JobSettings(raw);
    }

    public SourceType sourceType() {
        return sourceType;
    }

    public List<String> sourcePaths() {
        return sourcePaths;
    }

    public long maxRecordBytes() {
        return maxRecordBytes;
    }

    public Set<SinkType> sinkTypes() {
        return sinkTypes;
    }

    public String sinkPath() {
        return sinkPath;
    }

    public DeadLetterType deadLetterType() {
        return deadLetterType;
    }

    public String deadLetterPath() {
        return deadLetterPath;
    }

    public DetectorSettings detector() {
        return detector;
    }

    public RuleSettings rule() {
        return rule;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public Duration idleness() {
        return idleness;
    }

    public boolean keepUiOpen() {
        return keepUiOpen;
    }

    /** Kafka settings, or null when nothing uses Kafka. */
    public KafkaSettings kafka() {
        return kafka;
    }

    /** Whether the input ends by itself (a file, or a Kafka replay to the latest offsets). */
    public boolean boundedInput() {
        return sourceType == SourceType.FILE || kafka.stopAtLatest();
    }

    /** Flink options from {@code --flink.<key> value}, without the prefix. */
    public Map<String, String> flinkOptions() {
        return flinkOptions;
    }

    /** Typed reads with defaults from {@link #KEYS}; every error names its key. */
    private static final class Reader {
        private final RawSettings raw;

        Reader(RawSettings raw) {
            this.raw = raw;
        }

        String text(String key) {
            String v = raw.text(key);
            return v != null ? v.trim() : KEYS.get(key)[0];
        }

        List<String> list(String key) {
            if (raw.contains(key)) {
                return raw.list(key);
            }
            List<String> out = new ArrayList<>();
            for (String s : KEYS.get(key)[0].split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            return parseEnum(key, text(key), type);
        }

        static <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type) {
            String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(normalized)) {
                    return e;
                }
            }
            List<String> allowed = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw ConfigException.forKey(key, "'" + value + "' is not one of " + String.join(", ", allowed));
        }

        Duration duration(String key) {
            String v = text(key);
            try {
                return TimeUtils.parseDuration(v);
            } catch (RuntimeException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not a duration (examples: 6m, 30 s, 500ms)");
            }
        }

        Duration positiveDuration(String key) {
            Duration d = duration(key);
            if (d.toMillis() <= 0) {
                throw ConfigException.forKey(key, "must be at least 1 ms, got '" + text(key) + "'");
            }
            return d;
        }

        int positiveInt(String key) {
            String v = text(key);
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not an integer");
            }
            if (n < 1) {
                throw ConfigException.forKey(key, "must be at least 1, got " + n);
            }
            return n;
        }

        long memorySize(String key) {
            String v = text(key);
            try {
                long bytes = MemorySize.parse(v).getBytes();
                if (bytes < 1024 || bytes > Integer.MAX_VALUE - 16) {
                    throw ConfigException.forKey(key, "must be between 1kb and 2gb, got '" + v + "'");
                }
                return bytes;
            } catch (IllegalArgumentException e) {
                throw ConfigException.forKey(key, "'" + v + "' is not a memory size (examples: 16mb, 512kb)");
            }
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
