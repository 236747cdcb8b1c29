package io.secretrecon.rule.exceptions;

/**
 * The fields an exception can test: every field the rule reads, by its ECS name. An exception
 * sees the values the rule kept: {@code source.ip} is the address the rule used (the last of
 * {@code sourceIPs} with {@code detector.source-ip: remote}, in canonical form), so a client cannot
 * put itself under an exception with an {@code X-Forwarded-For} header.
 */
public enum ExceptionField {
    EVENT_DATASET("event.dataset"),
    EVENT_ACTION("event.action"),
    RESOURCE("kubernetes.audit.objectRef.resource"),
    SOURCE_IP("source.ip"),
    USER_NAME("user.name"),
    AUDIT_USER_NAME("kubernetes.audit.user.username"),
    USER_AGENT("user_agent.original"),
    SECRET_NAME("kubernetes.audit.objectRef.name"),
    NAMESPACE("kubernetes.audit.objectRef.namespace"),
    DECISION("kubernetes.audit.annotations.authorization_k8s_io/decision");

    private final String ecsName;

    ExceptionField(String ecsName) {
        this.ecsName = ecsName;
    }

    public String ecsName() {
        return ecsName;
    }

    /** The field with this ECS name, or null. */
    public static ExceptionField byName(String name) {
        for (ExceptionField f : values()) {
            if (f.ecsName.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
