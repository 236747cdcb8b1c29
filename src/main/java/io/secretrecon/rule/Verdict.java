package io.secretrecon.rule;

/**
 * Why the rule's WHERE clause kept or dropped an event: the first clause that was not true,
 * in the order of the ES|QL query. Each value has its own metric.
 */
public enum Verdict {
    KEPT("kept"),
    /** event.dataset, event.action or objectRef.resource is not exactly the rule's, null or multi-valued. */
    NOT_SECRET_GET("dropped-not-secret-get"),
    /** source.ip or user.name is null. */
    MISSING_CLIENT("dropped-missing-client"),
    /** A test on a null or multi-valued field was null (ES|QL drops the row). */
    NULL_OR_MULTI_VALUED("dropped-null-or-multi-valued"),
    EXCLUDED_SOURCE_IP("dropped-excluded-source-ip"),
    EXCLUDED_USER_NAME("dropped-excluded-user-name"),
    EXCLUDED_SECRET_NAME("dropped-excluded-secret-name"),
    EXCLUDED_AUDIT_USERNAME("dropped-excluded-audit-username"),
    /** {@code quiet} profile: an allowed read by a service account, a node or a control-plane component. */
    ALLOWED_SYSTEM_READ("dropped-allowed-system-read"),
    /** A rule exception in force dropped an event the rule would have kept. */
    EXCEPTION("dropped-exception");

    private final String metricName;

    Verdict(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }
}
