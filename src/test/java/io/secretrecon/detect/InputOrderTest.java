package io.secretrecon.detect;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The detector is told that each key's input is sorted exactly when Flink sorts it: BATCH with sorted inputs. */
class InputOrderTest {

    @Test
    void batchModeWithSortedInputsIsSortedPerKey() {
        assertThat(InputOrder.of(mode(RuntimeExecutionMode.BATCH), true)).isEqualTo(InputOrder.SORTED_PER_KEY);
        assertThat(InputOrder.of(mode(RuntimeExecutionMode.AUTOMATIC), true)).isEqualTo(InputOrder.SORTED_PER_KEY);
    }

    @Test
    void streamingOrAnUnboundedInputOrUnsortedBatchIsWatermarked() {
        assertThat(InputOrder.of(mode(RuntimeExecutionMode.STREAMING), true)).isEqualTo(InputOrder.WATERMARKED);
        assertThat(InputOrder.of(mode(RuntimeExecutionMode.AUTOMATIC), false)).isEqualTo(InputOrder.WATERMARKED);
        Configuration unsorted = mode(RuntimeExecutionMode.BATCH);
        unsorted.set(ExecutionOptions.SORT_INPUTS, false);
        assertThat(InputOrder.of(unsorted, true)).isEqualTo(InputOrder.WATERMARKED);
    }

    @Test
    void flinksDefaultIsStreaming() {
        assertThat(InputOrder.of(new Configuration(), true)).isEqualTo(InputOrder.WATERMARKED);
    }

    private static Configuration mode(RuntimeExecutionMode mode) {
        Configuration c = new Configuration();
        c.set(ExecutionOptions.RUNTIME_MODE, mode);
        return c;
    }
}
