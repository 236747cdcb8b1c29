package io.secretrecon.config;

import io.secretrecon.rule.RuleProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings of rule.profile and of the rule exceptions' control stream. */
class TuningSettingsTest {

    @Test
    void byDefaultTheSeedRuleWithoutExceptions() {
        JobSettings s = settings();

        assertThat(s.ruleProfile()).isEqualTo(RuleProfile.SEED);
        assertThat(s.quietProfile()).isNull();
        assertThat(s.hasExceptions()).isFalse();
        assertThat(s.exceptionsPollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.exceptionsMax()).isEqualTo(1000);
        assertThat(s.kafka()).as("nothing uses Kafka").isNull();
    }

    @Test
    void theQuietProfileHasItsPatterns() {
        JobSettings s = settings("--rule.profile", "quiet", "--rule.quiet-user-names", "system:node:*");

        assertThat(s.ruleProfile()).isEqualTo(RuleProfile.QUIET);
        assertThat(s.quietProfile().userNames()).extracting(Object::toString).containsExactly("system:node:*");
        assertThat(settings("--rule.profile", "quiet").quietProfile().userNames()).extracting(Object::toString)
                .containsExactly("system:serviceaccount:*", "system:node:*", "system:kube-controller-manager",
                        "system:kube-scheduler");
        assertThatThrownBy(() -> settings("--rule.profile", "quieter")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rule.profile").hasMessageContaining("seed, quiet");
    }

    @Test
    void anExceptionsTopicNeedsKafka() {
        assertThatThrownBy(() -> settings("--rule.exceptions-topic", "rule-exceptions")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers").hasMessageContaining("rule.exceptions-topic");

        JobSettings s = settings("--rule.exceptions-topic", "rule-exceptions", "--kafka.bootstrap-servers", "kafka:9092");
        assertThat(s.hasExceptions()).isTrue();
        assertThat(s.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(s.boundedInput()).as("a file input stays bounded").isTrue();
    }

    @Test
    void oneSourceOfExceptionsAtMost() {
        assertThatThrownBy(() -> settings("--rule.exceptions-topic", "t", "--kafka.bootstrap-servers", "kafka:9092",
                "--rule.exceptions-file", "exceptions.ndjson"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rule.exceptions-file")
                .hasMessageContaining("at most one");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> settings("--rule.exceptions-max", "0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rule.exceptions-max");
        assertThatThrownBy(() -> settings("--rule.exceptions-poll-interval", "0s")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rule.exceptions-poll-interval");
    }

    private static JobSettings settings(String... args) {
        return JobSettings.from(new RawSettings().put("source.path", "/var/log/kubernetes/audit", "test").applyArguments(args));
    }
}
