package io.secretrecon.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The README's configuration table and the bundled {@code flink-conf/secret-recon.yaml} say what
 * {@link Settings} defines: every key, its default and its meaning, nothing else.
 */
class SettingsDocumentationTest {

    /** The bundled file's deliberate local choices; every other value in it is the default. */
    private static final Set<String> LOCAL_CHOICES = Set.of("source.path", "dead-letter.path");

    @Test
    void theReadmeTableIsTheDefinition() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(SettingsTable.START);
        int end = readme.indexOf(SettingsTable.END);
        assertThat(start).as("README.md has a <!-- settings:start --> ... <!-- settings:end --> table").isNotNegative();
        assertThat(readme.substring(start + SettingsTable.START.length(), end))
                .as("README.md's table (scripts/settings-table.sh rewrites it from the definitions)")
                .isEqualTo(Settings.markdownTable());
    }

    @Test
    void theBundledSettingsFileHoldsDefinedKeysWithValidDefaults() {
        RawSettings raw = new RawSettings().loadYaml(Path.of("flink-conf/secret-recon.yaml"));

        for (Map.Entry<String, Object> e : raw.values().entrySet()) {
            Setting<?> setting = Settings.byKey(e.getKey());
            assertThat(setting).as("%s in flink-conf/secret-recon.yaml is a defined setting", e.getKey()).isNotNull();
            assertThatCode(() -> setting.read(raw)).as("%s parses", e.getKey()).doesNotThrowAnyException();
            if (!LOCAL_CHOICES.contains(e.getKey())) {
                assertThat((Object) setting.read(raw)).as("%s in flink-conf/secret-recon.yaml is its default", e.getKey())
                        .isEqualTo(setting.defaultValue());
            }
        }
        assertThat(raw.values().keySet()).as("the file shows the rule's and the detector's settings")
                .containsAll(Settings.all().stream().map(Setting::key)
                        .filter(k -> k.startsWith("rule.") || k.startsWith("detector.") || k.startsWith("watermark."))
                        .toList());
        assertThatCode(() -> JobSettings.from(raw)).doesNotThrowAnyException();
    }

    @Test
    void everyDefaultIsOfItsType() {
        for (Setting<?> setting : Settings.all()) {
            assertThatCode(setting::defaultValue).as(setting.key()).doesNotThrowAnyException();
            assertThat(setting.meaning()).as(setting.key()).isNotBlank().doesNotContain("\n");
        }
    }
}
