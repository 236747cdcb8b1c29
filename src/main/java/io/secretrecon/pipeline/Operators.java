package io.secretrecon.pipeline;

/**
 * Stable operator uids (state is matched to operators by these on restore: never change one) and
 * the names shown in the web UI.
 */
public final class Operators {

    public static final String SOURCE_UID = "audit-source";
    public static final String SOURCE_NAME = "Audit events";
    public static final String FILTER_UID = "secret-get-filter";
    public static final String FILTER_NAME = "Secret GET rule filter";
    public static final String DETECTOR_UID = "secret-burst-detector";
    public static final String DETECTOR_NAME = "Secret burst detector";
    public static final String ALERT_SINK_UID_PREFIX = "alerts-";
    public static final String DEAD_LETTER_SINK_UID_PREFIX = "dead-letters-";

    private Operators() {}
}
