package io.secretrecon.config;

import io.secretrecon.detect.DetectionMode;
import io.secretrecon.rule.RuleProfile;
import io.secretrecon.rule.SourceIpMode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every job setting, defined once: key, type, default and one-line meaning. The README's
 * configuration table and {@code flink-conf/secret-recon.yaml} are checked against this list by
 * {@code SettingsDocumentationTest}; {@link JobSettings} reads every value through it. The rule's
 * constants default to the seed rule's values (SPEC §1).
 */
public final class Settings {

    private static final Map<String, Setting<?>> ALL = new LinkedHashMap<>();

    /** Prefix of Flink options given as job settings ({@code --flink.parallelism.default 4}). */
    public static final String FLINK_PREFIX = "flink.";

    /** Prefix of Kafka client properties ({@code kafka.properties.security.protocol}). */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final Setting<JobSettings.SourceType> SOURCE_TYPE = define("source.type", "file",
            "where audit events come from: `file` or `kafka`", Setting.enumType(JobSettings.SourceType.class));
    public static final Setting<List<String>> SOURCE_PATH = define("source.path", "",
            "file or directory of NDJSON audit events (plain or `.gz`), a list is allowed; required for `source.type: file`",
            Setting.LIST);
    public static final Setting<Long> SOURCE_MAX_RECORD_SIZE = define("source.max-record-size", "16mb",
            "longer records are dead-lettered as `too-large`", Setting.MEMORY_SIZE);

    public static final Setting<List<OutputType>> SINK_TYPE = define("sink.type", "stdout",
            "where alerts go, one or more of `stdout`, `file`, `kafka`, `elasticsearch` (e.g. `kafka,elasticsearch`)",
            Setting.enumListType(OutputType.class));
    public static final Setting<String> SINK_PATH = define("sink.path", "",
            "alert file, one JSON per line; required when `sink.type` has `file`", Setting.TEXT);
    public static final Setting<OutputType> DEAD_LETTER_TYPE = define("dead-letter.type", "file",
            "where rejected and late records go: `file`, `stdout` or `kafka`", Setting.enumType(OutputType.class));
    public static final Setting<String> DEAD_LETTER_PATH = define("dead-letter.path", "dead-letters.ndjson",
            "dead-letter file, one JSON per line, for `dead-letter.type: file`", Setting.TEXT);

    public static final Setting<DetectionMode> DETECTOR_MODE = define("detector.mode", "continuous",
            "`continuous` (incident alerts with revisions) or `windows` (Elastic parity)",
            Setting.enumType(DetectionMode.class));
    public static final Setting<Duration> DETECTOR_LOOKBACK = define("detector.lookback", "6m",
            "trailing window length (Flink duration syntax: `6m`, `30 s`, `500ms`)", Setting.POSITIVE_DURATION);
    public static final Setting<Duration> DETECTOR_SLIDE = define("detector.slide", "5m",
            "`windows`: distance between window starts (Elastic's schedule)", Setting.POSITIVE_DURATION);
    public static final Setting<Duration> DETECTOR_OFFSET = define("detector.offset", "0",
            "`windows`: window starts are k·slide + offset", Setting.DURATION);
    public static final Setting<Integer> DETECTOR_THRESHOLD = define("detector.threshold", "3",
            "distinct secret names that make an alert", Setting.POSITIVE_INT);
    public static final Setting<Duration> DETECTOR_UPDATE_INTERVAL = define("detector.update-interval", "1m",
            "`continuous`: minimum event time between revisions", Setting.DURATION);
    public static final Setting<Boolean> DETECTOR_EARLY_ALERTS = define("detector.early-alerts", "false",
            "`continuous`, streaming input: a provisional alert (revision 0, `secret_recon.status: provisional`) as soon"
                    + " as the events that have arrived cross the threshold, before the watermark confirms it; confirmed"
                    + " under the same id, or withdrawn (`secret_recon.status: withdrawn`). BATCH runs emit no provisional"
                    + " alerts", Setting.BOOLEAN);
    public static final Setting<SourceIpMode> DETECTOR_SOURCE_IP = define("detector.source-ip", "remote",
            "`remote`: last of `sourceIPs` (unforgeable); `all`: exact ES|QL (proxied requests are dropped)",
            Setting.enumType(SourceIpMode.class));
    public static final Setting<Integer> DETECTOR_MAX_NAMES_PER_FINGERPRINT = define(
            "detector.max-names-per-fingerprint", "10000",
            "distinct secret names a fingerprint's state tracks (at least `detector.threshold`); past it new names are"
                    + " not tracked but their events count, and alerts say `secret_recon.unique_credentials_lower_bound: true`",
            Setting.POSITIVE_INT);
    public static final Setting<Integer> DETECTOR_MAX_FIELD_LENGTH = define("detector.max-field-length", "512",
            "longest user name, username, user agent, secret name, namespace, decision or audit ID kept as is (at least"
                    + " 32); a longer one is cut to that length plus `~` and 16 hex digits of its SHA-256",
            Setting.POSITIVE_INT);
    public static final Setting<Integer> DETECTOR_MAX_USER_AGENTS_PER_EVENT = define(
            "detector.max-user-agents-per-event", "16",
            "an event with more distinct `user_agent.original` values joins only the groups of the first ones (String"
                    + " order); the rest are counted in `userAgentsDropped`",
            Setting.POSITIVE_INT);

    public static final Setting<Integer> ALERT_MAX_VALUES = define("alert.max-values", "500",
            "most values written in each of `Esql.secrets_names`, `Esql.namespaces`, `Esql.outcome`: the first in String"
                    + " order; a cut list adds `secret_recon.values_truncated: true` (counts stay exact)",
            Setting.POSITIVE_INT);
    public static final Setting<Long> ALERT_MAX_LIST_BYTES = define("alert.max-list-bytes", "128kb",
            "most bytes of JSON written for each of those lists, cut the same way (one value is always written)",
            Setting.MEMORY_SIZE);

    public static final Setting<Duration> WATERMARK_OUT_OF_ORDERNESS = define("watermark.out-of-orderness", "30s",
            "how far behind the newest event an event may arrive", Setting.DURATION);
    public static final Setting<Duration> WATERMARK_IDLENESS = define("watermark.idleness", "1m",
            "a source split or partition without records for this long stops holding back event time",
            Setting.POSITIVE_DURATION);
    public static final Setting<Duration> WATERMARK_MAX_FUTURE_SKEW = define("watermark.max-future-skew", "15min",
            "streaming runs: an event time further ahead of the wall clock is dead-lettered as `future` and never "
                    + "moves the watermark", Setting.POSITIVE_DURATION);

    public static final Setting<List<String>> RULE_EXCLUDED_SOURCE_IPS = define("rule.excluded-source-ips",
            "127.0.0.1, ::1", "`source.ip` values the rule drops (canonicalised at start-up)", Setting.LIST);
    public static final Setting<List<String>> RULE_EXCLUDED_USER_NAMES = define("rule.excluded-user-names",
            "system:kube-controller-manager, system:kube-scheduler", "`user.name` values the rule drops", Setting.LIST);
    public static final Setting<String> RULE_EXCLUDED_SECRET_NAME_PATTERN = define(
            "rule.excluded-secret-name-pattern", "sh.helm.release.*",
            "LIKE pattern (`*` and `?`) of secret names the rule drops", Setting.TEXT);
    public static final Setting<List<String>> RULE_EXCLUDED_AUDIT_USERNAMES = define("rule.excluded-audit-usernames",
            "system:serviceaccount:flux-system:kustomize-controller, system:serviceaccount:flux-system:helm-controller, "
                    + "system:serviceaccount:flux-system:source-controller, system:serviceaccount:security:trivy-operator",
            "`kubernetes.audit.user.username` values the rule drops", Setting.LIST);
    public static final Setting<RuleProfile> RULE_PROFILE = define("rule.profile", "seed",
            "`seed`: exactly the seed rule; `quiet`: also drops *allowed* reads by `rule.quiet-user-names` (denied ones "
                    + "still count)", Setting.enumType(RuleProfile.class));
    public static final Setting<List<String>> RULE_QUIET_USER_NAMES = define("rule.quiet-user-names",
            "system:serviceaccount:*, system:node:*, system:kube-controller-manager, system:kube-scheduler",
            "`quiet`: LIKE patterns of `user.name` whose allowed reads are routine", Setting.LIST);
    public static final Setting<String> RULE_EXCEPTIONS_TOPIC = define("rule.exceptions-topic", "",
            "compacted Kafka topic of live rule exceptions (key = id, value = JSON, tombstone removes); none when empty",
            Setting.TEXT);
    public static final Setting<String> RULE_EXCEPTIONS_FILE = define("rule.exceptions-file", "",
            "file of rule exceptions, one JSON per line, re-read when it changes (read once for a bounded input); "
                    + "or `rule.exceptions-topic`",
            Setting.TEXT);
    public static final Setting<Duration> RULE_EXCEPTIONS_POLL_INTERVAL = define("rule.exceptions-poll-interval", "5s",
            "how often `rule.exceptions-file` is checked for changes", Setting.POSITIVE_DURATION);
    public static final Setting<Integer> RULE_EXCEPTIONS_MAX = define("rule.exceptions-max", "1000",
            "most exceptions in force at once; an entry beyond is dead-lettered", Setting.POSITIVE_INT);

    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = define("kafka.bootstrap-servers", "",
            "`host:port` list; required when anything uses Kafka", Setting.TEXT);
    public static final Setting<List<String>> KAFKA_TOPICS = define("kafka.topics", "",
            "input topics (list); or `kafka.topic-pattern`", Setting.LIST);
    public static final Setting<String> KAFKA_TOPIC_PATTERN = define("kafka.topic-pattern", "",
            "input topic regex; or `kafka.topics`", Setting.TEXT);
    public static final Setting<String> KAFKA_GROUP_ID = define("kafka.group-id", "secret-recon",
            "consumer group; offsets are committed on checkpoints", Setting.TEXT);
    public static final Setting<String> KAFKA_STARTING_OFFSETS = define("kafka.starting-offsets", "committed",
            "`committed` (earliest without one), `earliest`, `latest`, or a time (ISO-8601 or epoch ms)", Setting.TEXT);
    public static final Setting<String> KAFKA_STOPPING_OFFSETS = define("kafka.stopping-offsets", "none",
            "`none` (run forever) or `latest` (stop at the offsets latest at start: a replay that ends)", Setting.TEXT);
    public static final Setting<String> KAFKA_ALERTS_TOPIC = define("kafka.alerts-topic", "k8s-secret-recon-alerts",
            "alerts topic: key = alert id, value = alert JSON", Setting.TEXT);
    public static final Setting<String> KAFKA_DEAD_LETTER_TOPIC = define("kafka.dead-letter-topic",
            "k8s-secret-recon-dlq", "dead-letter topic for `dead-letter.type: kafka`", Setting.TEXT);
    public static final Setting<String> KAFKA_TRANSACTIONAL_ID_PREFIX = define("kafka.transactional-id-prefix", "",
            "prefix of the exactly-once sinks' transactional ids, unique per job; by default `secret-recon-` and a hash "
                    + "of the group id, input topics, stopping offsets, output topics and detector mode",
            Setting.TEXT);
    public static final Setting<Duration> KAFKA_TRANSACTION_TIMEOUT = define("kafka.transaction-timeout", "15min",
            "must exceed the checkpoint interval plus the checkpoint time-out; at most the broker's "
                    + "`transaction.max.timeout.ms` (15 min by default)",
            Setting.POSITIVE_DURATION);

    // Elasticsearch (sink.type elasticsearch): read as text here, validated by io.elasticsearch.ElasticsearchSettings.
    public static final Setting<String> ELASTICSEARCH_HOSTS = define("elasticsearch.hosts", "",
            "Elasticsearch nodes, a list of `http(s)://host:port`; required for `sink.type: elasticsearch`", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_INDEX = define("elasticsearch.index", "alerts-k8s-secret-recon",
            "index the alerts are written to (`_id` = alert id, external version = revision)", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_USERNAME = define("elasticsearch.username", "",
            "basic auth user; with `elasticsearch.password`", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_PASSWORD = define("elasticsearch.password", "",
            "basic auth password; use `${env:NAME}` or `${file:/path}`", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_API_KEY = define("elasticsearch.api-key", "",
            "API key (the encoded form, or `id:key`) instead of username and password; use `${env:NAME}` or `${file:/path}`",
            Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_CA_FILE = define("elasticsearch.ca-file", "",
            "PEM file of the CA(s) that sign the cluster's HTTPS certificate; default: the JVM's trust store", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_TEMPLATE_INSTALL = define("elasticsearch.template.install", "true",
            "install the index template at start-up when it is missing, or replace one an older release installed (`false`: an administrator manages it)",
            Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_CONNECT_TIMEOUT = define("elasticsearch.connect-timeout", "5s",
            "TCP connect time-out of a request", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_REQUEST_TIMEOUT = define("elasticsearch.request-timeout", "60s",
            "socket time-out of a request (a bulk that takes longer is retried)", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_BULK_MAX_ACTIONS = define("elasticsearch.bulk.max-actions", "1000",
            "a bulk request is sent when this many alerts are buffered", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_BULK_MAX_BYTES = define("elasticsearch.bulk.max-bytes", "5mb",
            "... or when the buffered request body reaches this size", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_BULK_FLUSH_INTERVAL = define("elasticsearch.bulk.flush-interval",
            "1s", "... or when the oldest buffered alert is this old", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_BULK_MAX_IN_FLIGHT = define("elasticsearch.bulk.max-in-flight", "2",
            "bulk requests in flight per parallel writer; beyond that the writer blocks (back-pressure)", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_RETRY_INITIAL_BACKOFF = define("elasticsearch.retry.initial-backoff",
            "100ms", "first wait before retrying a 429, a 5xx or a connection error (doubling, with jitter)", Setting.TEXT);
    public static final Setting<String> ELASTICSEARCH_RETRY_MAX_BACKOFF = define("elasticsearch.retry.max-backoff", "10s",
            "longest wait between retries; retries go on until Elasticsearch answers", Setting.TEXT);

    public static final Setting<Boolean> LOCAL_KEEP_UI_OPEN = define("local.keep-ui-open", "false",
            "`scripts/run-local.sh`: keep the web UI up after a bounded input is done", Setting.BOOLEAN);

    private Settings() {}

    private static <T> Setting<T> define(String key, String defaultText, String meaning, Setting.Type<T> type) {
        Setting<T> s = new Setting<>(key, defaultText, meaning, type);
        if (ALL.put(key, s) != null) {
            throw new IllegalStateException("setting defined twice: " + key);
        }
        return s;
    }

    /** Every setting, in the order of the README's table. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(ALL.values()));
    }

    /** The setting with this key, or null. */
    public static Setting<?> byKey(String key) {
        return ALL.get(key);
    }

    /** Whether a key belongs to a family of pass-through options ({@code flink.*}, {@code kafka.properties.*}). */
    public static boolean isPassThrough(String key) {
        return (key.startsWith(FLINK_PREFIX) && key.length() > FLINK_PREFIX.length())
                || (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length());
    }

    /** The README's configuration table, generated from the definitions. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (Setting<?> s : ALL.values()) {
            String def = s.defaultText().isEmpty() ? "—" : "`" + s.defaultText() + "`";
            sb.append("| `").append(s.key()).append("` | ").append(def).append(" | ")
                    .append(s.meaning().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
