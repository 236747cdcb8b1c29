package io.secretrecon.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka settings: the {@code kafka.*} keys. {@code kafka.properties.<name>} entries are handed to
 * every Kafka client as they are (security protocol, SASL, SSL, ...); reference passwords with
 * {@code ${env:NAME}} or {@code ${file:/path}} rather than writing them into a file.
 */
public final class KafkaSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where a consumer group starts reading. */
    public enum StartingOffsets { COMMITTED, EARLIEST, LATEST, TIMESTAMP }

    private final String bootstrapServers;
    private final List<String> topics;
    private final String topicPattern;
    private final String groupId;
    private final StartingOffsets startingOffsets;
    private final long startingTimestamp;
    private final boolean stopAtLatest;
    private final String alertsTopic;
    private final String deadLetterTopic;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final Map<String, String> properties;

    KafkaSettings(String bootstrapServers, List<String> topics, String topicPattern, String groupId,
            StartingOffsets startingOffsets, long startingTimestamp, boolean stopAtLatest, String alertsTopic,
            String deadLetterTopic, String transactionalIdPrefix, Duration transactionTimeout,
            Map<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.topics = List.copyOf(topics);
        this.topicPattern = topicPattern;
        this.groupId = groupId;
        this.startingOffsets = startingOffsets;
        this.startingTimestamp = startingTimestamp;
        this.stopAtLatest = stopAtLatest;
        this.alertsTopic = alertsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.transactionTimeout = transactionTimeout;
        this.properties = Collections.unmodifiableMap(properties);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Input topics; empty when {@link #topicPattern()} is used. */
    public List<String> topics() {
        return topics;
    }

    /** Input topic regex, or empty. */
    public String topicPattern() {
        return topicPattern;
    }

    public String groupId() {
        return groupId;
    }

    public StartingOffsets startingOffsets() {
        return startingOffsets;
    }

    /** Epoch millis for {@link StartingOffsets#TIMESTAMP}. */
    public long startingTimestamp() {
        return startingTimestamp;
    }

    /** The source stops at the offsets that were latest when the job started (a replay). */
    public boolean stopAtLatest() {
        return stopAtLatest;
    }

    public String alertsTopic() {
        return alertsTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /** A fresh copy of the {@code kafka.properties.*} entries for a client. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        return p;
    }
}
