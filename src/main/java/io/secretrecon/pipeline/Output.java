package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.config.JobSettings;
import io.secretrecon.event.DeadLetter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One kind of output ({@code stdout}, {@code file}, {@code kafka}, ...): the operators that take
 * alerts or dead letters there. {@link Outputs} picks the classes from the settings; a new kind
 * of sink is one more implementation, registered there.
 */
interface Output {

    /**
     * Checks, before anything runs, that this output can keep its promises with the environment's
     * Flink options (exactly-once needs checkpointing, say).
     *
     * @throws io.secretrecon.config.ConfigException naming the key to change
     */
    default void check(StreamExecutionEnvironment env, JobSettings settings) {}

    /**
     * Gets the external system ready before the job is submitted (an index template, say), so
     * that a problem stops start-up with a clear message instead of failing tasks. Only the job's
     * entry points call it; building a job graph never connects anywhere.
     *
     * @throws io.secretrecon.config.ConfigException naming the setting to look at
     */
    default void prepare(JobSettings settings) {}

    /**
     * Attaches the alert sink.
     *
     * @return the alerts this output refused for good (a document Elasticsearch cannot map, say),
     *     as dead letters; null if it refuses none
     */
    DataStream<DeadLetter> attachAlerts(DataStream<Alert> alerts, JobSettings settings);

    /** Attaches the dead-letter sink. */
    void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobSettings settings);
}
