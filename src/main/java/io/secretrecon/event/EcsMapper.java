package io.secretrecon.event;

import static io.secretrecon.event.AuditField.ECS_ACTION;
import static io.secretrecon.event.AuditField.ECS_AUDIT_ID;
import static io.secretrecon.event.AuditField.ECS_AUDIT_USERNAME;
import static io.secretrecon.event.AuditField.ECS_DATASET;
import static io.secretrecon.event.AuditField.ECS_DECISION;
import static io.secretrecon.event.AuditField.ECS_INGESTED;
import static io.secretrecon.event.AuditField.ECS_NAME;
import static io.secretrecon.event.AuditField.ECS_NAMESPACE;
import static io.secretrecon.event.AuditField.ECS_RESOURCE;
import static io.secretrecon.event.AuditField.ECS_SOURCE_IP;
import static io.secretrecon.event.AuditField.ECS_TIMESTAMP;
import static io.secretrecon.event.AuditField.ECS_USER_AGENT;
import static io.secretrecon.event.AuditField.ECS_USER_NAME;

/**
 * An ECS document, as Elastic's Kubernetes integration stores it, to the {@link AuditEvent}: the
 * fields are already the ECS ones; IPs are canonicalised and the event time is
 * {@code event.ingested}, else {@code @timestamp} (SPEC §4).
 *
 * <p>Fields are read in a fixed order, and the first bad one names the record's error.
 */
final class EcsMapper {

    private EcsMapper() {}

    static AuditEvent map(FieldValues v, RecordOrigin origin) {
        AuditEvent e = new AuditEvent();
        e.dataset = v.values(ECS_DATASET);
        e.action = v.values(ECS_ACTION);
        e.resource = v.values(ECS_RESOURCE);
        e.secretName = v.values(ECS_NAME);
        e.namespace = v.values(ECS_NAMESPACE);
        e.userName = v.values(ECS_USER_NAME);
        e.auditUserName = v.values(ECS_AUDIT_USERNAME);
        e.sourceIp = v.ips(ECS_SOURCE_IP, "source.ip");
        e.userAgent = v.values(ECS_USER_AGENT);
        e.decision = v.values(ECS_DECISION);
        e.auditId = v.first(ECS_AUDIT_ID);
        e.timestamp = FieldValues.required(v.time(ECS_INGESTED, ECS_TIMESTAMP), ECS_INGESTED, ECS_TIMESTAMP);
        e.origin = origin;
        return e;
    }
}
