package io.secretrecon.event;

/**
 * The fields the rule and the alert read, for each record shape. An ECS field is named by its
 * dotted ECS path; a raw field by its path in an {@code audit.k8s.io} event (and, in messages, by
 * that path joined with dots). ECS paths and raw paths share one {@link FieldTrie}; which fields a
 * record is read for depends on its shape ({@link EcsMapper}, {@link RawEventMapper}).
 *
 * <p>The ordinal indexes {@link FieldValues}' arrays.
 */
enum AuditField {

    ECS_DATASET(false, true, "event.dataset"),
    ECS_ACTION(false, true, "event.action"),
    ECS_INGESTED(true, true, "event.ingested"),
    ECS_TIMESTAMP(true, true, "@timestamp"),
    ECS_RESOURCE(false, true, "kubernetes.audit.objectRef.resource"),
    ECS_NAME(false, true, "kubernetes.audit.objectRef.name"),
    ECS_NAMESPACE(false, true, "kubernetes.audit.objectRef.namespace"),
    ECS_USER_NAME(false, true, "user.name"),
    ECS_AUDIT_USERNAME(false, true, "kubernetes.audit.user.username"),
    ECS_SOURCE_IP(false, true, "source.ip"),
    ECS_USER_AGENT(false, true, "user_agent.original"),
    ECS_DECISION(false, true, "kubernetes.audit.annotations.authorization_k8s_io/decision"),
    ECS_AUDIT_ID(false, true, "kubernetes.audit.auditID"),
    RAW_KIND(false, false, "kind"),
    RAW_API_VERSION(false, false, "apiVersion"),
    RAW_VERB(false, false, "verb"),
    RAW_USERNAME(false, false, "user", "username"),
    RAW_SOURCE_IPS(false, false, "sourceIPs"),
    RAW_USER_AGENT(false, false, "userAgent"),
    RAW_RESOURCE(false, false, "objectRef", "resource"),
    RAW_NAME(false, false, "objectRef", "name"),
    RAW_NAMESPACE(false, false, "objectRef", "namespace"),
    // The key holds dots: it is one path segment, matched literally (FieldTrie.Node#resolve).
    RAW_DECISION(false, false, "annotations", "authorization.k8s.io/decision"),
    RAW_RECEIVED(true, false, "requestReceivedTimestamp"),
    RAW_TIMESTAMP(true, false, "timestamp"),
    RAW_STAGE_TIMESTAMP(true, false, "stageTimestamp"),
    RAW_AUDIT_ID(false, false, "auditID");

    static final int COUNT = values().length;

    /** The name used in error details. */
    final String label;
    /** The path of member names from the record's top level. */
    final String[] path;
    /** A time: a number is accepted (epoch milliseconds) besides a string. */
    final boolean time;
    /** An ECS field; else a raw audit event field, also read within EventList items. */
    final boolean ecs;

    AuditField(boolean time, boolean ecs, String... path) {
        // ECS fields are given as one dotted path, raw ones segment by segment.
        this.path = ecs ? path[0].split("\\.") : path;
        this.label = String.join(".", path);
        this.time = time;
        this.ecs = ecs;
    }
}
