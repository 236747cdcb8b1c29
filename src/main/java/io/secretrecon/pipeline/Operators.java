package io.secretrecon.pipeline;

import io.secretrecon.config.OutputType;
import io.secretrecon.config.Setting;

/**
 * Every operator's uid and the name shown in the web UI, in one place. State is matched to
 * operators by uid on restore: never change one (the README lists them, and
 * {@code OperatorUidsTest} checks that list against the built job graph).
 */
public final class Operators {

    public static final String SOURCE_UID = "audit-source";
    public static final String SOURCE_NAME = "Audit events";
    public static final String FILTER_UID = "secret-get-filter";
    public static final String FILTER_NAME = "Secret GET rule filter";
    public static final String DETECTOR_UID = "secret-burst-detector";
    public static final String DETECTOR_NAME = "Secret burst detector";
    public static final String EXCEPTIONS_KAFKA_SOURCE_UID = "exceptions-kafka-source";
    public static final String EXCEPTIONS_FILE_SOURCE_UID = "exceptions-file-source";
    public static final String EXCEPTIONS_FILE_SOURCE_NAME = "Rule exceptions file";
    public static final String EXCEPTIONS_OUTSIDE_EVENT_TIME_UID = "exceptions-outside-event-time";
    public static final String EXCEPTIONS_OUTSIDE_EVENT_TIME_NAME = "Rule exceptions, outside event time";
    public static final String DEAD_LETTER_JSON_UID = "dead-letter-json";
    public static final String DEAD_LETTER_JSON_NAME = "Dead-letter JSON";

    private Operators() {}

    /** The control source of rule exceptions in Kafka: {@code Rule exceptions from Kafka topic rule-exceptions}. */
    public static String exceptionsKafkaSourceName(String topic) {
        return "Rule exceptions from Kafka topic " + topic;
    }

    /** The sink of alerts of one output type: {@code alerts-kafka-sink}. */
    public static String alertSinkUid(OutputType type) {
        return "alerts-" + Setting.name(type) + "-sink";
    }

    /** The alerts-to-JSON step in front of a line sink: {@code alert-json-stdout}. */
    public static String alertJsonUid(OutputType type) {
        return "alert-json-" + Setting.name(type);
    }

    public static String alertJsonName(OutputType type) {
        return "Alert JSON (" + Setting.name(type) + ")";
    }

    /** The sink of the dead-letter output: {@code dead-letters-file-sink}. */
    public static String deadLetterSinkUid(OutputType type) {
        return "dead-letters-" + Setting.name(type) + "-sink";
    }

    /** A sink's name in the web UI: {@code Alerts to Kafka topic k8s-secret-recon-alerts}. */
    public static String alertSinkName(String destination) {
        return "Alerts to " + destination;
    }

    public static String deadLetterSinkName(String destination) {
        return "Dead letters to " + destination;
    }
}
