package io.secretrecon.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.SecretGetBounds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alert documents have a size bound (README, "Bounds"): the name, namespace and outcome lists
 * hold the first values in String order up to {@code alert.max-values} and
 * {@code alert.max-list-bytes}, the counts stay exact, and {@code secret_recon.values_truncated}
 * appears only when a list was cut.
 */
class AlertBoundsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kafka's default {@code max.request.size}. */
    private static final int KAFKA_MAX_REQUEST = 1_048_576;

    static Stream<Arguments> modesAndOrders() {
        List<Arguments> out = new ArrayList<>();
        for (DetectionMode mode : DetectionMode.values()) {
            for (InputOrder order : InputOrder.values()) {
                out.add(Arguments.of(mode, order));
            }
        }
        return out.stream();
    }

    /** The example: 6,000 distinct 250-character names in five minutes from one fingerprint. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modesAndOrders")
    void sixThousandLongNamesInFiveMinutesGiveDocumentsUnderTheBound(DetectionMode mode, InputOrder order)
            throws Exception {
        DetectorSettings settings = JobSettings.defaultDetector(mode);
        List<SecretGet> burst = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            burst.add(secretGet("mallory", longName(i)).in("ns-" + (i % 700)).at(T0.plusMillis(50L * i)));
        }
        try (DetectorHarness d = new DetectorHarness(settings, order)) {
            d.send(burst.toArray(new SecretGet[0]));
            d.endOfInput();
            List<Alert> alerts = d.alerts();
            assertThat(alerts).isNotEmpty();
            for (Alert a : alerts) {
                String json = AlertJson.toJson(a);
                assertThat(json.getBytes(StandardCharsets.UTF_8).length)
                        .as("revision %d of %d names", a.revision, a.uniqueCredentials)
                        .isLessThan(KAFKA_MAX_REQUEST / 4);
                JsonNode doc = JSON.readTree(json);
                int names = doc.at("/Esql/secrets_names").size();
                assertThat(names).isLessThanOrEqualTo(settings.maxAlertValues());
                assertThat(doc.at("/Esql/unique_credentials").asLong()).as("the count is never cut").isEqualTo(a.uniqueCredentials);
                if (a.uniqueCredentials > settings.maxAlertValues()) {
                    assertThat(names).isEqualTo(settings.maxAlertValues());
                    assertThat(doc.at("/secret_recon/values_truncated").asBoolean()).isTrue();
                    List<String> expected = new ArrayList<>(); // every event has its own name
                    for (SecretGet e : burst) {
                        if (e.timestamp >= a.firstSeen && e.timestamp <= a.lastSeen) {
                            expected.add(e.secretName);
                        }
                    }
                    assertThat(expected).hasSize((int) a.uniqueCredentials);
                    expected.sort(null);
                    assertThat(a.secretsNames).as("the first names in String order")
                            .containsExactlyElementsOf(expected.subList(0, names));
                }
                assertThat(doc.at("/secret_recon").has("unique_credentials_lower_bound")).isFalse();
            }
            Alert last = alerts.stream().max((x, y) -> Long.compare(x.uniqueCredentials, y.uniqueCredentials)).orElseThrow();
            assertThat(last.namespaces).hasSize(500);
            if (mode == DetectionMode.CONTINUOUS) {
                assertThat(last.uniqueCredentials).isEqualTo(6000);
                assertThat(last.eventCount).isEqualTo(6000);
            }
            assertThat(d.stateEntries()).isZero();
        }
    }

    private static String longName(int i) {
        return String.format("%05d-", (i * 7919) % 6000) + "x".repeat(244);
    }

    @Test
    void belowTheBoundsTheDocumentHasNoNewField() throws Exception {
        try (DetectorHarness d = new DetectorHarness(JobSettings.defaultDetector(DetectionMode.CONTINUOUS))) {
            d.send(secretGet("alice", "a").at(minutes(0)), secretGet("alice", "b").at(minutes(1)),
                    secretGet("alice", "c").at(minutes(2)));
            d.endOfInput();
            JsonNode sr = JSON.readTree(AlertJson.toJson(d.alerts().get(0))).get("secret_recon");
            assertThat(sr.has("values_truncated")).isFalse();
            assertThat(sr.has("unique_credentials_lower_bound")).isFalse();
        }
    }

    @Test
    void exactlyMaxValuesIsNotACut() throws Exception {
        DetectorSettings small = bounded(DetectionMode.WINDOWS, 100, 4, Long.MAX_VALUE);
        try (DetectorHarness d = new DetectorHarness(small)) {
            d.send(secretGet("bob", "a").in("n1").at(minutes(1)), secretGet("bob", "b").in("n2").at(minutes(1)),
                    secretGet("bob", "c").in("n3").at(minutes(1)), secretGet("bob", "d").in("n4").at(minutes(1)));
            d.endOfInput();
            assertThat(d.alerts()).allSatisfy(a -> {
                assertThat(a.secretsNames).containsExactly("a", "b", "c", "d");
                assertThat(a.namespaces).containsExactly("n1", "n2", "n3", "n4");
                assertThat(a.valuesTruncated).isFalse();
            });
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modesAndOrders")
    void namespacesAndOutcomesAreCutLikeNames(DetectionMode mode, InputOrder order) throws Exception {
        DetectorSettings small = bounded(mode, 100, 2, Long.MAX_VALUE);
        try (DetectorHarness d = new DetectorHarness(small, order)) {
            SecretGet multi = secretGet("carol", "a").at(minutes(1));
            multi.decisions = new String[] {"allow", "deny", "forbid"};
            d.send(secretGet("carol", "a").in("z").at(minutes(1)), secretGet("carol", "a").in("x").at(minutes(1)), multi,
                    secretGet("carol", "b").in("y").forbidden().at(minutes(1.5)));
            d.endOfInput();
            assertThat(d.alerts()).allSatisfy(a -> {
                assertThat(a.secretsNames).containsExactly("a", "b");
                assertThat(a.namespaces).containsExactly("default", "x");
                assertThat(a.outcomes).containsExactly("allow", "deny");
                assertThat(a.valuesTruncated).isTrue();
                assertThat(a.uniqueCredentials).isEqualTo(2);
                assertThat(a.eventCount).isEqualTo(4);
            });
        }
    }

    @Test
    void aListStopsAtItsByteBudgetButAlwaysHasOneValue() {
        DetectorSettings tight = bounded(DetectionMode.WINDOWS, 100, 500, 12);
        assertThat(AlertFactory.bounded(tight, new String[] {"abc", "def", "ghi"})).containsExactly("abc", "def");
        assertThat(AlertFactory.bounded(tight, new String[] {"a-long-value", "b"})).containsExactly("a-long-value");
        String[] fits = {"ab", "cd"};
        assertThat(AlertFactory.bounded(tight, fits)).isSameAs(fits);
    }

    @Test
    void elementBytesAreNeverBelowWhatJsonWrites() throws Exception {
        Random random = new Random(7);
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                int kind = random.nextInt(6);
                sb.append(kind == 0 ? (char) random.nextInt(0x20)
                        : kind == 1 ? (char) random.nextInt(0x80)
                        : kind == 2 ? (char) (0x80 + random.nextInt(0x780))
                        : kind == 3 ? (char) (0x800 + random.nextInt(0xd000))
                        : kind == 4 ? "\ud83d\udd11" : (char) (0xd800 + random.nextInt(0x800)));
            }
            String v = sb.toString();
            int written = JSON.writeValueAsString(new String[] {v, v}).getBytes(StandardCharsets.UTF_8).length;
            // two elements: 2 quotes + value each, one comma, two brackets
            long actualPerElement = (written - 2 + 1) / 2;
            assertThat(AlertJson.listElementBytes(v)).as("%s", v.chars().mapToObj(Integer::toHexString).toList())
                    .isGreaterThanOrEqualTo(actualPerElement);
        }
        assertThat(AlertJson.listElementBytes("plain-ascii")).as("exact for plain text").isEqualTo(11 + 3);
    }

    /**
     * The worst case the README states: every list at its byte budget, every string at the field
     * length bound and made of characters JSON escapes in six bytes, 20 audit IDs.
     */
    @Test
    void theWorstCaseDocumentStaysWellUnderKafkasDefaultRequestSize() {
        DetectorSettings settings = JobSettings.defaultDetector(DetectionMode.CONTINUOUS);
        int maxField = Settings.DETECTOR_MAX_FIELD_LENGTH.defaultValue();
        SecretGetBounds bounds = new SecretGetBounds(maxField, 16);
        String[] hostile = new String[settings.maxAlertValues() + 1];
        for (int i = 0; i < hostile.length; i++) {
            hostile[i] = String.format("%04d", i) + "\u0001".repeat(maxField - 4); // kept as is: at the bound
        }
        Tally tally = new Tally();
        tally.count = Long.MAX_VALUE;
        tally.first = Long.MIN_VALUE + 1;
        tally.last = Long.MAX_VALUE;
        tally.namespaces = hostile.clone();
        tally.decisions = hostile.clone();
        tally.auditIds = new String[Tally.MAX_AUDIT_IDS];
        for (int i = 0; i < tally.auditIds.length; i++) {
            tally.auditIds[i] = bounds.cut(String.format("%02d", i) + "\u0001".repeat(maxField * 3));
        }
        String agent = bounds.cut("\u0001".repeat(maxField * 2));
        Fingerprint fp = new Fingerprint(hostile[0], hostile[1], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", agent);
        Alert a = AlertFactory.build(settings, fp, DetectionMode.CONTINUOUS, "00000000-0000-0000-0000-000000000000",
                Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE,
                List.of(hostile), tally, true);

        int bytes = AlertJson.toJson(a).getBytes(StandardCharsets.UTF_8).length;
        long perValue = 6L * (maxField + 1) + 3;
        long documented = 3 * settings.maxAlertListBytes() + (Tally.MAX_AUDIT_IDS + 3) * perValue + 2_000;
        System.out.printf("worst-case alert document: %,d bytes (bound %,d)%n", bytes, documented);
        assertThat(a.valuesTruncated).isTrue();
        assertThat(bytes).isLessThanOrEqualTo((int) documented).isLessThan(KAFKA_MAX_REQUEST / 2);
    }

    private static DetectorSettings bounded(DetectionMode mode, int maxNames, int maxValues, long maxListBytes) {
        return new DetectorSettings(mode, Duration.ofMinutes(6), Duration.ofMinutes(5), Duration.ZERO, 2,
                Duration.ofMinutes(1), maxNames, maxValues, maxListBytes);
    }
}
