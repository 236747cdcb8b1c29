package io.secretrecon.config;

import io.secretrecon.detect.DetectionMode;
import io.secretrecon.detect.DetectorSettings;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SourceIpMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSettingsTest {

    private static final String AUDIT_LOG = "/var/log/kubernetes/audit";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- defaults: the seed rule

    @Test
    void detectorDefaultsAreTheSeedRules() {
        DetectorSettings d = settings().detector();
        DetectorSettings seed = JobSettings.defaultDetector(DetectionMode.CONTINUOUS);

        assertThat(d.mode()).isEqualTo(DetectionMode.CONTINUOUS);
        assertThat(d.lookback()).isEqualTo(Duration.ofMinutes(6).toMillis()).isEqualTo(seed.lookback());
        assertThat(d.slide()).isEqualTo(Duration.ofMinutes(5).toMillis()).isEqualTo(seed.slide());
        assertThat(d.offset()).isZero().isEqualTo(seed.offset());
        assertThat(d.threshold()).isEqualTo(3).isEqualTo(seed.threshold());
        assertThat(d.updateInterval()).isEqualTo(Duration.ofMinutes(1).toMillis()).isEqualTo(seed.updateInterval());
    }

    @Test
    void ruleDefaultsAreTheSeedRules() {
        RuleSettings rule = settings().rule();
        RuleSettings seed = JobSettings.defaultRule();

        assertThat(rule.excludedSourceIps()).containsExactlyInAnyOrder("127.0.0.1", "::1").isEqualTo(seed.excludedSourceIps());
        assertThat(rule.excludedUserNames()).isEqualTo(seed.excludedUserNames());
        assertThat(rule.excludedSecretNamePattern().pattern()).isEqualTo("sh.helm.release.*");
        assertThat(rule.excludedAuditUsernames()).hasSize(4).isEqualTo(seed.excludedAuditUsernames());
        assertThat(rule.sourceIpMode()).isEqualTo(SourceIpMode.REMOTE).isEqualTo(seed.sourceIpMode());
    }

    @Test
    void watermarkAndIoDefaults() {
        JobSettings s = settings();

        assertThat(s.outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idleness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.sourceType()).isEqualTo(JobSettings.SourceType.FILE);
        assertThat(s.sourcePaths()).containsExactly(AUDIT_LOG);
        assertThat(s.maxRecordBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(s.sinkTypes()).containsExactly(OutputType.STDOUT);
        assertThat(s.deadLetterType()).isEqualTo(OutputType.FILE);
        assertThat(s.deadLetterPath()).isEqualTo("dead-letters.ndjson");
        assertThat(s.keepUiOpen()).isFalse();
        assertThat(s.flinkOptions()).isEmpty();
    }

    @Test
    void everyKnownKeyHasADefaultThatValidates() {
        RawSettings raw = new RawSettings();
        Settings.all().forEach(setting -> raw.put(setting.key(), setting.defaultText(), "defaults"));
        raw.put("source.path", AUDIT_LOG, "test");

        assertThat(JobSettings.from(raw).detector().lookback()).isEqualTo(Duration.ofMinutes(6).toMillis());
    }

    // ---------------------------------------------------------------- a settings file plus overrides

    @Test
    void aYamlFileWithNestedAndDottedKeysConfiguresTheJob() throws IOException {
        JobSettings s = fromYaml("""
                source:
                  path: /var/log/kubernetes/audit
                detector:
                  mode: windows
                  lookback: 10m
                  slide: 2m
                  offset: 30s
                detector.threshold: 5
                detector.source-ip: all
                rule:
                  excluded-user-names:
                    - system:kube-scheduler
                  excluded-source-ips: 10.0.0.1, 0:0:0:0:0:0:0:1
                  excluded-secret-name-pattern: "sh.helm.*"
                """);

        assertThat(s.detector().mode()).isEqualTo(DetectionMode.WINDOWS);
        assertThat(s.detector().lookback()).isEqualTo(Duration.ofMinutes(10).toMillis());
        assertThat(s.detector().slide()).isEqualTo(Duration.ofMinutes(2).toMillis());
        assertThat(s.detector().offset()).isEqualTo(Duration.ofSeconds(30).toMillis());
        assertThat(s.detector().threshold()).isEqualTo(5);
        assertThat(s.rule().sourceIpMode()).isEqualTo(SourceIpMode.ALL);
        assertThat(s.rule().excludedUserNames()).containsExactly("system:kube-scheduler");
        assertThat(s.rule().excludedSourceIps()).containsExactlyInAnyOrder("10.0.0.1", "::1");
        assertThat(s.rule().excludedSecretNamePattern().pattern()).isEqualTo("sh.helm.*");
    }

    @Test
    void commandLineArgumentsOverrideTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("job.yaml"), "source.path: /a\ndetector.threshold: 5\n");

        JobSettings s = JobSettings.from(new RawSettings().loadYaml(file)
                .applyArguments(new String[] {"--detector.threshold", "7", "--source.path=/b,/c"}));

        assertThat(s.detector().threshold()).isEqualTo(7);
        assertThat(s.sourcePaths()).containsExactly("/b", "/c");
    }

    @Test
    void enumValuesIgnoreCase() {
        JobSettings s = settings("--detector.mode", "WINDOWS", "--detector.source-ip", "All", "--sink.type", "File,STDOUT",
                "--sink.path", "alerts.ndjson");

        assertThat(s.detector().mode()).isEqualTo(DetectionMode.WINDOWS);
        assertThat(s.rule().sourceIpMode()).isEqualTo(SourceIpMode.ALL);
        assertThat(s.sinkTypes()).containsExactly(OutputType.FILE, OutputType.STDOUT);
    }

    @Test
    void emptyExclusionListsExcludeNothing() {
        JobSettings s = settings("--rule.excluded-user-names", "", "--rule.excluded-source-ips=");

        assertThat(s.rule().excludedUserNames()).isEmpty();
        assertThat(s.rule().excludedSourceIps()).isEmpty();
        assertThat(s.rule().excludedAuditUsernames()).hasSize(4);
    }

    @Test
    void anEmptySecretNamePatternIsAccepted() {
        JobSettings s = settings("--rule.excluded-secret-name-pattern", "");

        assertThat(s.rule().excludedSecretNamePattern().matches("sh.helm.release.v1")).isFalse();
    }

    @Test
    void flinkOptionsAreCollectedWithoutThePrefix() throws IOException {
        Path file = Files.writeString(dir.resolve("job.yaml"), """
                source.path: /a
                flink:
                  parallelism.default: 4
                  execution.checkpointing.interval: 30s
                """);

        JobSettings s = JobSettings.from(new RawSettings().loadYaml(file)
                .applyArguments(new String[] {"--flink.rest.port", "8082", "--flink.parallelism.default=2"}));

        assertThat(s.flinkOptions()).containsOnly(
                org.assertj.core.api.Assertions.entry("parallelism.default", "2"),
                org.assertj.core.api.Assertions.entry("execution.checkpointing.interval", "30s"),
                org.assertj.core.api.Assertions.entry("rest.port", "8082"));
    }

    @Test
    void secretsComeFromTheEnvironmentOrFiles() throws IOException {
        Path password = Files.writeString(dir.resolve("truststore-password"), "changeit\n");

        JobSettings s = settings("--flink.security.ssl.truststore-password", "${file:" + password + "}",
                "--sink.path", "${env:HOME}/alerts.ndjson", "--sink.type", "file");

        assertThat(s.flinkOptions()).containsEntry("security.ssl.truststore-password", "changeit");
        assertThat(s.sinkPath()).isEqualTo(System.getenv("HOME") + "/alerts.ndjson");
    }

    @Test
    void aMissingEnvironmentVariableNamesTheKey() {
        assertRefused("sink.path", "--sink.type", "file", "--sink.path", "${env:SECRET_RECON_SURELY_UNSET_1F3A}");
    }

    // ---------------------------------------------------------------- unknown keys

    @Test
    void anUnknownKeyStopsStartUpNamingTheKey() {
        assertRefused("detector.lookbak", "--detector.lookbak", "6m");
        assertRefused("elasticsearch.url", "--elasticsearch.url", "https://localhost:9200");
        assertRefused("flink.", "--flink.", "4");
    }

    @Test
    void anUnknownKeyInTheFileStopsStartUpNamingTheKey() throws IOException {
        assertThatThrownBy(() -> fromYaml("source.path: /a\ndetector:\n  threshhold: 3\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("detector.threshhold");
    }

    // ---------------------------------------------------------------- wrong types

    @ParameterizedTest(name = "{0} = [{1}]")
    @CsvSource(delimiter = '|', value = {
        "detector.lookback | 6x",
        "detector.lookback | six minutes",
        "detector.lookback | 0s",
        "detector.lookback | -6m",
        "detector.slide | ''",
        "detector.offset | soon",
        "detector.update-interval | 1 fortnight",
        "detector.threshold | abc",
        "detector.threshold | 0",
        "detector.threshold | -3",
        "detector.threshold | 2.5",
        "detector.threshold | 99999999999",
        "detector.mode | hourly",
        "detector.source-ip | first",
        "watermark.out-of-orderness | 30x",
        "watermark.idleness | 0ms",
        "rule.excluded-source-ips | 127.0.0.1,localhost",
        "rule.excluded-source-ips | 256.0.0.1",
        "source.type | s3",
        "source.max-record-size | lots",
        "source.max-record-size | 12 parsecs",
        "source.max-record-size | 100b",
        "source.max-record-size | 4gb",
        "sink.type | stdout,opensearch",
        "dead-letter.type | elasticsearch",
        "dead-letter.type | email",
        "local.keep-ui-open | yes",
        "detector.early-alerts | soon",
    })
    void aWrongValueStopsStartUpNamingTheKey(String key, String value) {
        assertRefused(key, "--" + key, value);
    }

    @Test
    void earlyAlertsInWindowsModeStopStartUpNamingTheKey() {
        assertRefused("detector.early-alerts", "--detector.mode", "windows", "--detector.early-alerts", "true");
    }

    @Test
    void earlyAlertsAreOffUnlessAsked() {
        assertThat(settings().detector().earlyAlerts()).isFalse();
        assertThat(settings("--detector.early-alerts", "true").detector().earlyAlerts()).isTrue();
    }

    // ---------------------------------------------------------------- missing required settings

    @Test
    void theFileSourceNeedsAPath() {
        assertThatThrownBy(() -> JobSettings.from(new RawSettings()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("source.path");
        assertThatThrownBy(() -> JobSettings.from(new RawSettings().applyArguments(new String[] {"--source.path", " , "})))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("source.path");
    }

    @Test
    void aFileSinkNeedsAPath() {
        assertRefused("sink.path", "--sink.type", "stdout,file");
        assertRefused("sink.path", "--sink.type", "file", "--sink.path", "  ");
    }

    @Test
    void atLeastOneSinkIsNeeded() {
        assertRefused("sink.type", "--sink.type", "");
    }

    @Test
    void aFileDeadLetterOutputNeedsAPathOfItsOwn() {
        assertRefused("dead-letter.path", "--dead-letter.path", "");
        assertRefused("dead-letter.path", "--sink.type", "file", "--sink.path", "out.ndjson", "--dead-letter.path", "out.ndjson");
    }

    // ---------------------------------------------------------------- helpers

    /** Settings from the command line, with the one required setting filled in. */
    private static JobSettings settings(String... args) {
        RawSettings raw = new RawSettings().put("source.path", AUDIT_LOG, "test").applyArguments(args);
        return JobSettings.from(raw);
    }

    private JobSettings fromYaml(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("secret-recon.yaml"), yaml);
        return JobSettings.from(new RawSettings().loadYaml(file));
    }

    private static void assertRefused(String key, String... args) {
        assertThatThrownBy(() -> settings(args))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ":");
    }

    @Test
    void aMistypedKeyIsNamedWithTheKeyItProbablyMeant() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobSettings.from(new RawSettings()
                        .put("source.path", "x", "test").put("detector.lookbak", "5m", "test")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("detector.lookbak: unknown setting (did you mean detector.lookback?)");
        org.assertj.core.api.Assertions.assertThat(JobSettings.closestKey("completely.different")).isNull();
    }

}
