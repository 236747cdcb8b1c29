package io.secretrecon.pipeline;

import io.secretrecon.SecretReconJob;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up checks of exactly-once Kafka output, and the transactional ids it uses. */
class KafkaOutputTest {

    @Test
    void aStreamingRunNeedsCheckpointing() {
        assertThatThrownBy(() -> build("--kafka.stopping-offsets", "none"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("flink.execution.checkpointing.interval:");
    }

    @Test
    void theTransactionTimeoutMustOutliveTheIntervalPlusTheCheckpointTimeout() {
        assertThatThrownBy(() -> build("--flink.execution.checkpointing.interval", "30s",
                "--flink.execution.checkpointing.timeout", "10min", "--kafka.transaction-timeout", "10min"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka.transaction-timeout:")
                .hasMessageContaining("execution.checkpointing.timeout");
        assertThatCode(() -> build("--flink.execution.checkpointing.interval", "30s",
                "--flink.execution.checkpointing.timeout", "10min", "--kafka.transaction-timeout", "15min"))
                .doesNotThrowAnyException();
    }

    @Test
    void aBoundedReplayNeedsNoCheckpointing() {
        assertThatCode(() -> build("--kafka.stopping-offsets", "latest")).doesNotThrowAnyException();
    }

    @Test
    void theDefaultTransactionalIdPrefixIsStableAndDiffersBetweenJobs() {
        String streaming = settings().kafka().transactionalIdPrefix();
        assertThat(settings().kafka().transactionalIdPrefix()).isEqualTo(streaming);
        assertThat(streaming).matches("secret-recon-[0-9a-f]{8}");
        assertThat(settings("--kafka.stopping-offsets", "latest").kafka().transactionalIdPrefix()).isNotEqualTo(streaming);
        assertThat(settings("--detector.mode", "windows").kafka().transactionalIdPrefix()).isNotEqualTo(streaming);
        assertThat(settings("--kafka.alerts-topic", "other").kafka().transactionalIdPrefix()).isNotEqualTo(streaming);
        assertThat(settings("--kafka.transactional-id-prefix", "mine").kafka().transactionalIdPrefix()).isEqualTo("mine");
    }

    private static void build(String... extra) {
        JobSettings settings = settings(extra);
        SecretReconJob.build(new StreamExecutionEnvironment(SecretReconJob.jobConfiguration(settings)), settings);
    }

    private static JobSettings settings(String... extra) {
        List<String> args = new ArrayList<>(List.of("--source.type", "kafka", "--kafka.bootstrap-servers", "127.0.0.1:1",
                "--kafka.topics", "audit", "--sink.type", "kafka", "--dead-letter.type", "kafka"));
        args.addAll(List.of(extra));
        return SecretReconJob.loadSettings(args.toArray(new String[0]));
    }
}
