package io.secretrecon.event;

/**
 * The ECS view of one audit event, reduced to the fields the rule and the alert read. Every
 * field holds the values found in the record in document order, nulls left out: {@code null}
 * when the field is missing (or only null), one element when single-valued, more when the
 * record held an array. ES|QL's treatment of multi-valued fields is the rule's business
 * ({@link io.secretrecon.rule.SecretGetRule}), not the parser's.
 *
 * <p>{@code requestObject} and {@code responseObject} have no place here by design.
 */
public class AuditEvent {

    /** Event time: event.ingested, else @timestamp, in epoch milliseconds. */
    public long timestamp;

    public String[] dataset;
    public String[] action;
    public String[] resource;
    public String[] secretName;
    public String[] namespace;
    /** {@code user.name}. */
    public String[] userName;
    /** {@code kubernetes.audit.user.username}. */
    public String[] auditUserName;
    /** {@code source.ip}, each in canonical form, in document order. */
    public String[] sourceIp;
    public String[] userAgent;
    /** {@code kubernetes.audit.annotations.authorization_k8s_io/decision}. */
    public String[] decision;
    public String auditId;

    public RecordOrigin origin;

    public AuditEvent() {}
}
