package io.secretrecon.config;

import io.secretrecon.detect.DetectionMode;
import io.secretrecon.detect.DetectorSettings;
import io.secretrecon.event.EventTimes;
import io.secretrecon.event.IpAddresses;
import io.secretrecon.rule.QuietProfile;
import io.secretrecon.rule.RuleProfile;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SecretGetBounds;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job's own settings (SPEC §8), typed and validated. Built from {@link RawSettings}; an
 * unknown key, a value of the wrong type or a missing required setting throws a
 * {@link ConfigException} naming the key. Flink's own options go in {@code config.yaml} or, on the
 * command line, as {@code --flink.<flink key> value}.
 */
public final class JobSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public enum SourceType { FILE, KAFKA }

    private final SourceType sourceType;
    private final List<String> sourcePaths;
    private final long maxRecordBytes;
    private final List<OutputType> sinkTypes;
    private final String sinkPath;
    private final OutputType deadLetterType;
    private final String deadLetterPath;
    private final DetectorSettings detector;
    private final RuleSettings rule;
    private final RuleProfile ruleProfile;
    private final QuietProfile quietProfile;
    private final String exceptionsTopic;
    private final String exceptionsFile;
    private final Duration exceptionsPollInterval;
    private final int exceptionsMax;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Duration maxFutureSkew;
    /** The {@code elasticsearch.*} values given, resolved; validated where the sink is built. */
    private final Map<String, String> elasticsearch;
    private final boolean keepUiOpen;
    private final Map<String, String> flinkOptions;
    private final KafkaSettings kafka;

    private JobSettings(RawSettings raw) {
        for (String key : raw.values().keySet()) {
            if (Settings.byKey(key) == null && !Settings.isPassThrough(key)) {
                String closest = closestKey(key);
                throw ConfigException.forKey(key, "unknown setting"
                        + (closest != null ? " (did you mean " + closest + "?)" : "")
                        + "; the keys are listed in README.md, plus kafka.properties.<Kafka client property>"
                        + " and flink.<Flink option>");
            }
        }
        this.sourceType = Settings.SOURCE_TYPE.read(raw);
        this.sourcePaths = Settings.SOURCE_PATH.read(raw);
        if (sourceType == SourceType.FILE && sourcePaths.isEmpty()) {
            throw ConfigException.forKey(Settings.SOURCE_PATH.key(), "required when source.type is file");
        }
        this.maxRecordBytes = Settings.SOURCE_MAX_RECORD_SIZE.read(raw);
        this.sinkTypes = Settings.SINK_TYPE.read(raw);
        if (sinkTypes.isEmpty()) {
            throw ConfigException.forKey(Settings.SINK_TYPE.key(), "at least one sink is required ("
                    + String.join(", ", Setting.names(OutputType.class)) + ")");
        }
        this.sinkPath = Settings.SINK_PATH.read(raw);
        if (sinkTypes.contains(OutputType.FILE) && sinkPath.isEmpty()) {
            throw ConfigException.forKey(Settings.SINK_PATH.key(), "required when sink.type includes file");
        }
        this.deadLetterType = Settings.DEAD_LETTER_TYPE.read(raw);
        if (!deadLetterType.takesDeadLetters()) {
            throw ConfigException.forKey(Settings.DEAD_LETTER_TYPE.key(),
                    "'" + Setting.name(deadLetterType) + "' cannot take dead letters; use file, stdout or kafka");
        }
        this.deadLetterPath = Settings.DEAD_LETTER_PATH.read(raw);
        if (deadLetterType == OutputType.FILE && deadLetterPath.isEmpty()) {
            throw ConfigException.forKey(Settings.DEAD_LETTER_PATH.key(), "required when dead-letter.type is file");
        }
        if (deadLetterType == OutputType.FILE && sinkTypes.contains(OutputType.FILE) && sameFile(deadLetterPath, sinkPath)) {
            throw ConfigException.forKey(Settings.DEAD_LETTER_PATH.key(), "must be another file than sink.path");
        }

        int threshold = Settings.DETECTOR_THRESHOLD.read(raw);
        int maxNames = Settings.DETECTOR_MAX_NAMES_PER_FINGERPRINT.read(raw);
        if (maxNames < threshold) {
            throw ConfigException.forKey(Settings.DETECTOR_MAX_NAMES_PER_FINGERPRINT.key(),
                    "must be at least detector.threshold");
        }
        int maxValues = Settings.ALERT_MAX_VALUES.read(raw);
        if (maxValues == Integer.MAX_VALUE) {
            throw ConfigException.forKey(Settings.ALERT_MAX_VALUES.key(), "must be below " + Integer.MAX_VALUE);
        }
        DetectorSettings rule = new DetectorSettings(Settings.DETECTOR_MODE.read(raw), Settings.DETECTOR_LOOKBACK.read(raw),
                Settings.DETECTOR_SLIDE.read(raw), Settings.DETECTOR_OFFSET.read(raw),
                threshold, Settings.DETECTOR_UPDATE_INTERVAL.read(raw), maxNames, maxValues,
                Settings.ALERT_MAX_LIST_BYTES.read(raw));
        boolean early = Settings.DETECTOR_EARLY_ALERTS.read(raw);
        if (early && rule.mode() != DetectionMode.CONTINUOUS) {
            throw ConfigException.forKey(Settings.DETECTOR_EARLY_ALERTS.key(),
                    "needs detector.mode continuous (a window's alert cannot come before the window ends)");
        }
        this.detector = rule.withEarlyAlerts(early);

        List<String> excludedIps = Settings.RULE_EXCLUDED_SOURCE_IPS.read(raw);
        for (String ip : excludedIps) {
            try {
                IpAddresses.canonical(ip);
            } catch (IllegalArgumentException e) {
                throw ConfigException.forKey(Settings.RULE_EXCLUDED_SOURCE_IPS.key(), e.getMessage());
            }
        }
        int maxFieldLength = Settings.DETECTOR_MAX_FIELD_LENGTH.read(raw);
        if (maxFieldLength < SecretGetBounds.MIN_FIELD_LENGTH || maxFieldLength == Integer.MAX_VALUE) {
            throw ConfigException.forKey(Settings.DETECTOR_MAX_FIELD_LENGTH.key(),
                    "must be at least " + SecretGetBounds.MIN_FIELD_LENGTH + " and below " + Integer.MAX_VALUE);
        }
        this.rule = new RuleSettings(excludedIps, Settings.RULE_EXCLUDED_USER_NAMES.read(raw),
                Settings.RULE_EXCLUDED_SECRET_NAME_PATTERN.read(raw), Settings.RULE_EXCLUDED_AUDIT_USERNAMES.read(raw),
                Settings.DETECTOR_SOURCE_IP.read(raw),
                new SecretGetBounds(maxFieldLength, Settings.DETECTOR_MAX_USER_AGENTS_PER_EVENT.read(raw)));
        this.ruleProfile = Settings.RULE_PROFILE.read(raw);
        List<String> quietUserNames = Settings.RULE_QUIET_USER_NAMES.read(raw);
        this.quietProfile = ruleProfile == RuleProfile.QUIET ? new QuietProfile(quietUserNames) : null;
        this.exceptionsTopic = Settings.RULE_EXCEPTIONS_TOPIC.read(raw);
        this.exceptionsFile = Settings.RULE_EXCEPTIONS_FILE.read(raw);
        if (!exceptionsTopic.isEmpty() && !exceptionsFile.isEmpty()) {
            throw ConfigException.forKey(Settings.RULE_EXCEPTIONS_FILE.key(),
                    "set at most one of rule.exceptions-topic and rule.exceptions-file");
        }
        this.exceptionsPollInterval = Settings.RULE_EXCEPTIONS_POLL_INTERVAL.read(raw);
        this.exceptionsMax = Settings.RULE_EXCEPTIONS_MAX.read(raw);

        this.outOfOrderness = Settings.WATERMARK_OUT_OF_ORDERNESS.read(raw);
        this.idleness = Settings.WATERMARK_IDLENESS.read(raw);
        this.maxFutureSkew = Settings.WATERMARK_MAX_FUTURE_SKEW.read(raw);
        this.keepUiOpen = Settings.LOCAL_KEEP_UI_OPEN.read(raw);

        Map<String, String> flink = new LinkedHashMap<>();
        for (String key : raw.values().keySet()) {
            if (key.startsWith(Settings.FLINK_PREFIX)) {
                flink.put(key.substring(Settings.FLINK_PREFIX.length()), raw.text(key));
            }
        }
        this.flinkOptions = Collections.unmodifiableMap(flink);
        this.kafka = usesKafka() ? readKafka(raw) : null;
        Map<String, String> es = new LinkedHashMap<>();
        if (sinkTypes.contains(OutputType.ELASTICSEARCH)) {
            for (Setting<?> setting : Settings.all()) {
                if (setting.key().startsWith("elasticsearch.") && raw.contains(setting.key())) {
                    es.put(setting.key(), raw.text(setting.key()));
                }
            }
        }
        this.elasticsearch = Collections.unmodifiableMap(es);
    }

    /**
     * Eight hex digits of SHA-256: the same settings give the same transactional ids after a
     * restart (so the sink can abort what its previous run left open), other jobs other ids.
     */
    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Whether two local paths name one file ({@code ./x} and {@code x} do). */
    private static boolean sameFile(String a, String b) {
        try {
            return Path.of(a).toAbsolutePath().normalize().equals(Path.of(b).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            return a.equals(b);
        }
    }

    private boolean usesKafka() {
        return sourceType == SourceType.KAFKA || sinkTypes.contains(OutputType.KAFKA)
                || deadLetterType == OutputType.KAFKA || !exceptionsTopic.isEmpty();
    }

    private KafkaSettings readKafka(RawSettings raw) {
        String servers = Settings.KAFKA_BOOTSTRAP_SERVERS.read(raw);
        if (servers.isEmpty()) {
            throw ConfigException.forKey(Settings.KAFKA_BOOTSTRAP_SERVERS.key(),
                    "required when source, sink or dead-letter type is kafka, or rule.exceptions-topic is set");
        }
        List<String> topics = Settings.KAFKA_TOPICS.read(raw);
        String pattern = Settings.KAFKA_TOPIC_PATTERN.read(raw);
        if (sourceType == SourceType.KAFKA) {
            if (topics.isEmpty() == pattern.isEmpty()) {
                throw ConfigException.forKey(Settings.KAFKA_TOPICS.key(), "set exactly one of kafka.topics and kafka.topic-pattern");
            }
            if (!pattern.isEmpty()) {
                try {
                    java.util.regex.Pattern.compile(pattern);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw ConfigException.forKey(Settings.KAFKA_TOPIC_PATTERN.key(),
                            "not a regular expression: " + e.getDescription());
                }
            }
        }
        String starting = Settings.KAFKA_STARTING_OFFSETS.read(raw);
        KafkaSettings.StartingOffsets startingOffsets;
        long startingTimestamp = 0;
        switch (starting.toLowerCase(Locale.ROOT)) {
            case "committed": startingOffsets = KafkaSettings.StartingOffsets.COMMITTED; break;
            case "earliest": startingOffsets = KafkaSettings.StartingOffsets.EARLIEST; break;
            case "latest": startingOffsets = KafkaSettings.StartingOffsets.LATEST; break;
            default:
                try {
                    startingTimestamp = EventTimes.parse(starting);
                } catch (IllegalArgumentException e) {
                    throw ConfigException.forKey(Settings.KAFKA_STARTING_OFFSETS.key(),
                            "'" + starting + "' is not committed, earliest, latest or a time (ISO-8601 or epoch ms)");
                }
                startingOffsets = KafkaSettings.StartingOffsets.TIMESTAMP;
        }
        String stopping = Settings.KAFKA_STOPPING_OFFSETS.read(raw).toLowerCase(Locale.ROOT);
        if (!stopping.equals("none") && !stopping.equals("latest")) {
            throw ConfigException.forKey(Settings.KAFKA_STOPPING_OFFSETS.key(), "'" + stopping + "' is not none or latest");
        }
        String prefix = Settings.KAFKA_TRANSACTIONAL_ID_PREFIX.read(raw);
        if (prefix.isEmpty()) {
            prefix = "secret-recon-" + shortHash(String.join("\n", Settings.KAFKA_GROUP_ID.read(raw),
                    String.join(",", topics), pattern, stopping, Settings.KAFKA_ALERTS_TOPIC.read(raw),
                    Settings.KAFKA_DEAD_LETTER_TOPIC.read(raw), detector.mode().name()));
        }
        Duration timeout = Settings.KAFKA_TRANSACTION_TIMEOUT.read(raw);
        Map<String, String> props = new LinkedHashMap<>();
        for (String key : raw.values().keySet()) {
            if (key.startsWith(Settings.KAFKA_PROPERTIES_PREFIX)) {
                props.put(key.substring(Settings.KAFKA_PROPERTIES_PREFIX.length()), raw.text(key));
            }
        }
        return new KafkaSettings(servers, topics, pattern, Settings.KAFKA_GROUP_ID.read(raw), startingOffsets,
                startingTimestamp, stopping.equals("latest"), Settings.KAFKA_ALERTS_TOPIC.read(raw),
                Settings.KAFKA_DEAD_LETTER_TOPIC.read(raw), prefix, timeout, props);
    }

    /** The known key nearest to a mistyped one (at most a third of it edited), or null. */
    static String closestKey(String key) {
        String best = null;
        int bestDistance = Math.max(2, key.length() / 3) + 1;
        for (Setting<?> setting : Settings.all()) {
            String known = setting.key();
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

    /** The detector's constants and bounds at their defaults (the seed rule's), in the given mode. */
    public static DetectorSettings defaultDetector(DetectionMode mode) {
        return new DetectorSettings(mode, Settings.DETECTOR_LOOKBACK.defaultValue(),
                Settings.DETECTOR_SLIDE.defaultValue(), Settings.DETECTOR_OFFSET.defaultValue(),
                Settings.DETECTOR_THRESHOLD.defaultValue(), Settings.DETECTOR_UPDATE_INTERVAL.defaultValue(),
                Settings.DETECTOR_MAX_NAMES_PER_FINGERPRINT.defaultValue(), Settings.ALERT_MAX_VALUES.defaultValue(),
                Settings.ALERT_MAX_LIST_BYTES.defaultValue());
    }

    /** The rule's constants and bounds at their defaults: exactly the seed rule. */
    public static RuleSettings defaultRule() {
        return new RuleSettings(Settings.RULE_EXCLUDED_SOURCE_IPS.defaultValue(),
                Settings.RULE_EXCLUDED_USER_NAMES.defaultValue(), Settings.RULE_EXCLUDED_SECRET_NAME_PATTERN.defaultValue(),
                Settings.RULE_EXCLUDED_AUDIT_USERNAMES.defaultValue(), Settings.DETECTOR_SOURCE_IP.defaultValue(),
                new SecretGetBounds(Settings.DETECTOR_MAX_FIELD_LENGTH.defaultValue(),
                        Settings.DETECTOR_MAX_USER_AGENTS_PER_EVENT.defaultValue()));
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

    /** The alert outputs, each once, in the order given. */
    public List<OutputType> sinkTypes() {
        return sinkTypes;
    }

    public String sinkPath() {
        return sinkPath;
    }

    public OutputType deadLetterType() {
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

    /** {@code rule.profile}. */
    public RuleProfile ruleProfile() {
        return ruleProfile;
    }

    /** The {@code quiet} profile's clause, or null for the {@code seed} profile. */
    public QuietProfile quietProfile() {
        return quietProfile;
    }

    /** The control topic of rule exceptions; empty when exceptions do not come from Kafka. */
    public String exceptionsTopic() {
        return exceptionsTopic;
    }

    /** The file of rule exceptions; empty when exceptions do not come from a file. */
    public String exceptionsFile() {
        return exceptionsFile;
    }

    /** Whether the job has a control stream of rule exceptions (a topic or a file). */
    public boolean hasExceptions() {
        return !exceptionsTopic.isEmpty() || !exceptionsFile.isEmpty();
    }

    public Duration exceptionsPollInterval() {
        return exceptionsPollInterval;
    }

    public int exceptionsMax() {
        return exceptionsMax;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public Duration idleness() {
        return idleness;
    }

    /** Streaming runs: how far ahead of the wall clock an event time may be. */
    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    public boolean keepUiOpen() {
        return keepUiOpen;
    }

    /**
     * The {@code elasticsearch.*} settings that are set (references resolved), for
     * {@code io.elasticsearch.ElasticsearchSettings}, which validates them and knows their
     * defaults; empty unless {@code sink.type} has {@code elasticsearch}.
     */
    public Map<String, String> elasticsearch() {
        return elasticsearch;
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
}
