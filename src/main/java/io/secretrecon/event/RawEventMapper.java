package io.secretrecon.event;

import static io.secretrecon.event.AuditField.RAW_AUDIT_ID;
import static io.secretrecon.event.AuditField.RAW_DECISION;
import static io.secretrecon.event.AuditField.RAW_NAME;
import static io.secretrecon.event.AuditField.RAW_NAMESPACE;
import static io.secretrecon.event.AuditField.RAW_RECEIVED;
import static io.secretrecon.event.AuditField.RAW_RESOURCE;
import static io.secretrecon.event.AuditField.RAW_SOURCE_IPS;
import static io.secretrecon.event.AuditField.RAW_STAGE_TIMESTAMP;
import static io.secretrecon.event.AuditField.RAW_TIMESTAMP;
import static io.secretrecon.event.AuditField.RAW_USERNAME;
import static io.secretrecon.event.AuditField.RAW_USER_AGENT;
import static io.secretrecon.event.AuditField.RAW_VERB;

/**
 * A raw {@code audit.k8s.io} event (or EventList item) to the {@link AuditEvent}, the way
 * Elastic's ingest pipeline maps it (SPEC §2): the dataset is fixed, {@code verb} is the action,
 * the authenticated {@code user.username} (never {@code impersonatedUser}) is both user names,
 * all {@code sourceIPs} are the source IP, and the event time is the Kafka record timestamp
 * (its {@code event.ingested}) where there is one, else {@code requestReceivedTimestamp}, then
 * {@code timestamp}, then {@code stageTimestamp}. The recorded times are checked even when the
 * Kafka timestamp decides: an unparsable one makes the record malformed either way.
 *
 * <p>Fields are read in a fixed order, and the first bad one names the record's error.
 */
final class RawEventMapper {

    static final String DATASET = "kubernetes.audit_logs";

    private RawEventMapper() {}

    static AuditEvent map(FieldValues v, RecordOrigin origin, Long kafkaTimestamp) {
        AuditEvent e = new AuditEvent();
        e.dataset = new String[] {DATASET};
        e.action = v.values(RAW_VERB);
        e.resource = v.values(RAW_RESOURCE);
        e.secretName = v.values(RAW_NAME);
        e.namespace = v.values(RAW_NAMESPACE);
        e.userName = v.values(RAW_USERNAME);
        e.auditUserName = e.userName;
        e.sourceIp = v.ips(RAW_SOURCE_IPS, "sourceIPs");
        e.userAgent = v.values(RAW_USER_AGENT);
        e.decision = v.values(RAW_DECISION);
        e.auditId = v.first(RAW_AUDIT_ID);
        Long recorded = v.time(RAW_RECEIVED, RAW_TIMESTAMP, RAW_STAGE_TIMESTAMP);
        e.timestamp = kafkaTimestamp != null
                ? kafkaTimestamp
                : FieldValues.required(recorded, RAW_RECEIVED, RAW_TIMESTAMP, RAW_STAGE_TIMESTAMP);
        e.origin = origin;
        return e;
    }
}
