package io.secretrecon.detect;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The order in which the detector sees a key's events, which decides how it may use them.
 */
public enum InputOrder {
    /**
     * STREAMING: a key's events arrive in any order ahead of the watermark, and timers fire as it
     * passes them; events wait in the pending buffer until then.
     */
    WATERMARKED,
    /**
     * BATCH with sorted inputs: each key's events arrive by time, with no watermark, and timers
     * fire only at the end of the key's input. An event at t then proves that every event before
     * t has come, so the detector works through t - 1 at once, as if the watermark were there:
     * the pending buffer holds the events of one time at most, and one timer (at the end of time)
     * finishes the key.
     */
    SORTED_PER_KEY;

    /**
     * The order a job gets: {@link #SORTED_PER_KEY} when it runs in BATCH mode (set, or AUTOMATIC
     * with a bounded input) with sorted inputs (Flink's default), else {@link #WATERMARKED}.
     */
    public static InputOrder of(ReadableConfig job, boolean boundedInput) {
        return runsInBatch(job, boundedInput) && job.get(ExecutionOptions.SORT_INPUTS) ? SORTED_PER_KEY : WATERMARKED;
    }

    /** Whether the job runs in BATCH mode: set so, or AUTOMATIC with a bounded input. */
    public static boolean runsInBatch(ReadableConfig job, boolean boundedInput) {
        RuntimeExecutionMode mode = job.get(ExecutionOptions.RUNTIME_MODE);
        return mode == RuntimeExecutionMode.BATCH || (mode == RuntimeExecutionMode.AUTOMATIC && boundedInput);
    }
}
