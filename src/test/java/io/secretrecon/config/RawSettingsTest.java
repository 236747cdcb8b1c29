package io.secretrecon.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawSettingsTest {

    /** An environment variable every test machine has. */
    private static final String HOME = System.getenv("HOME");

    @TempDir
    Path dir;

    @Test
    void nestedAndDottedYamlKeysBecomeDottedKeys() throws IOException {
        RawSettings raw = yaml("""
                detector:
                  mode: windows
                  lookback: 10m
                detector.threshold: 5
                source:
                  path: /var/log/kube-audit
                  max-record-size: 1mb
                """);

        assertThat(raw.values()).containsOnlyKeys("detector.mode", "detector.lookback", "detector.threshold",
                "source.path", "source.max-record-size");
        assertThat(raw.text("detector.mode")).isEqualTo("windows");
        assertThat(raw.text("detector.threshold")).isEqualTo("5");
        assertThat(raw.text("source.max-record-size")).isEqualTo("1mb");
    }

    @Test
    void mixedNestingAtAnyLevel() throws IOException {
        RawSettings raw = yaml("""
                flink:
                  pipeline.auto-generate-uids: false
                  state:
                    backend.type: rocksdb
                """);

        assertThat(raw.text("flink.pipeline.auto-generate-uids")).isEqualTo("false");
        assertThat(raw.text("flink.state.backend.type")).isEqualTo("rocksdb");
    }

    @Test
    void listsAreYamlListsOrCommaSeparated() throws IOException {
        RawSettings raw = yaml("""
                rule:
                  excluded-user-names:
                    - system:kube-controller-manager
                    - system:kube-scheduler
                  excluded-source-ips: 127.0.0.1, ::1 ,,
                """);

        assertThat(raw.list("rule.excluded-user-names")).containsExactly("system:kube-controller-manager", "system:kube-scheduler");
        assertThat(raw.list("rule.excluded-source-ips")).containsExactly("127.0.0.1", "::1");
        assertThat(raw.text("rule.excluded-user-names")).isEqualTo("system:kube-controller-manager,system:kube-scheduler");
    }

    @Test
    void nullListItemsAreLeftOutNotReadAsTheWordNull() throws IOException {
        RawSettings raw = yaml("""
                rule.excluded-user-names:
                  - system:kube-scheduler
                  - ~
                  -
                """);

        assertThat(raw.list("rule.excluded-user-names")).containsExactly("system:kube-scheduler");
    }

    @Test
    void anAbsentKeyIsNullTextAndAnEmptyList() {
        RawSettings raw = new RawSettings();

        assertThat(raw.text("sink.path")).isNull();
        assertThat(raw.list("sink.type")).isEmpty();
        assertThat(raw.contains("sink.path")).isFalse();
    }

    @Test
    void anEmptyYamlValueIsEmptyText() throws IOException {
        RawSettings raw = yaml("""
                sink.path:
                rule.excluded-user-names: []
                """);

        assertThat(raw.contains("sink.path")).isTrue();
        assertThat(raw.text("sink.path")).isEmpty();
        assertThat(raw.list("rule.excluded-user-names")).isEmpty();
    }

    @Test
    void anEmptyFileHasNoSettings() throws IOException {
        assertThat(yaml("").values()).isEmpty();
        assertThat(yaml("# nothing yet\n").values()).isEmpty();
    }

    @Test
    void argumentsOverrideTheFileInBothForms() throws IOException {
        RawSettings raw = yaml("""
                detector:
                  lookback: 10m
                  threshold: 5
                """).applyArguments(new String[] {"--detector.lookback", "6m", "--detector.threshold=4", "--sink.type=stdout,file"});

        assertThat(raw.text("detector.lookback")).isEqualTo("6m");
        assertThat(raw.text("detector.threshold")).isEqualTo("4");
        assertThat(raw.list("sink.type")).containsExactly("stdout", "file");
    }

    @Test
    void anEqualsSignInsideTheValueIsKept() {
        RawSettings raw = new RawSettings().applyArguments(new String[] {"--flink.env.java.opts=-Dx=y"});

        assertThat(raw.text("flink.env.java.opts")).isEqualTo("-Dx=y");
    }

    @Test
    void theLastArgumentWins() {
        RawSettings raw = new RawSettings().applyArguments(new String[] {"--detector.mode", "windows", "--detector.mode", "continuous"});

        assertThat(raw.text("detector.mode")).isEqualTo("continuous");
    }

    @Test
    void aBareWordIsNotAnArgument() {
        assertThatThrownBy(() -> new RawSettings().applyArguments(new String[] {"detector.mode", "windows"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("detector.mode");
        assertThatThrownBy(() -> new RawSettings().applyArguments(new String[] {"--"}))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void aKeyWithoutValueIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> new RawSettings().applyArguments(new String[] {"--source.path"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("source.path");
    }

    @Test
    void environmentReferencesAreResolved() {
        RawSettings raw = new RawSettings()
                .put("kafka.password", "${env:HOME}", "test")
                .put("sink.path", "${env:HOME}/alerts.ndjson", "test");

        assertThat(raw.text("kafka.password")).isEqualTo(HOME);
        assertThat(raw.text("sink.path")).isEqualTo(HOME + "/alerts.ndjson");
    }

    @Test
    void aMissingEnvironmentVariableIsAnErrorNamingTheKey() {
        RawSettings raw = new RawSettings().put("kafka.password", "${env:SECRET_RECON_SURELY_UNSET_1F3A}", "test");

        assertThatThrownBy(() -> raw.text("kafka.password"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka.password")
                .hasMessageContaining("SECRET_RECON_SURELY_UNSET_1F3A");
    }

    @Test
    void fileReferencesAreResolvedWithoutTheTrailingNewline() throws IOException {
        Path secret = Files.writeString(dir.resolve("es-password"), "s3cr3t-Pa55\n");
        RawSettings raw = new RawSettings().put("elasticsearch.password", "${file:" + secret + "}", "test");

        assertThat(raw.text("elasticsearch.password")).isEqualTo("s3cr3t-Pa55");
    }

    @Test
    void onlyOneTrailingNewlineIsRemoved() throws IOException {
        Path secret = Files.writeString(dir.resolve("token"), "line1\nline2\n\n");
        RawSettings raw = new RawSettings().put("elasticsearch.api-key", "${file:" + secret + "}", "test");

        assertThat(raw.text("elasticsearch.api-key")).isEqualTo("line1\nline2\n");
    }

    @Test
    void aMissingSecretFileIsAnErrorNamingTheKey() {
        RawSettings raw = new RawSettings().put("elasticsearch.password", "${file:" + dir.resolve("nope") + "}", "test");

        assertThatThrownBy(() -> raw.text("elasticsearch.password"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("elasticsearch.password");
    }

    @Test
    void referencesInListItemsAreResolved() {
        RawSettings raw = new RawSettings().put("rule.excluded-user-names", List.of("system:kube-scheduler", "${env:HOME}"), "test");

        assertThat(raw.list("rule.excluded-user-names")).containsExactly("system:kube-scheduler", HOME);
    }

    @Test
    void aReplacementWithDollarsAndBackslashesIsTakenLiterally() throws IOException {
        Path secret = Files.writeString(dir.resolve("weird"), "a$1\\b");
        RawSettings raw = new RawSettings().put("kafka.password", "${file:" + secret + "}", "test");

        assertThat(raw.text("kafka.password")).isEqualTo("a$1\\b");
    }

    @Test
    void aTopLevelThatIsNotAMappingIsRefused() {
        assertThatThrownBy(() -> yaml("- detector.mode\n- windows\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mapping");
    }

    @Test
    void aListOfMappingsIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> yaml("""
                rule:
                  excluded-user-names:
                    - name: system:kube-scheduler
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rule.excluded-user-names");
    }

    @Test
    void anUnreadableFileIsAConfigError() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> new RawSettings().loadYaml(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml");
    }

    @Test
    void brokenYamlIsAConfigError() {
        assertThatThrownBy(() -> yaml("detector: [unclosed\n"))
                .isInstanceOf(ConfigException.class);
    }

    // ---------------------------------------------------------------- helpers

    private RawSettings yaml(String text) throws IOException {
        Path file = dir.resolve("secret-recon.yaml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return new RawSettings().loadYaml(file);
    }
}
