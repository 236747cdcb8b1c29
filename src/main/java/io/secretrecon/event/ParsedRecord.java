package io.secretrecon.event;

/**
 * What a source emits per input event: a well-formed audit event, or a dead letter. One type so
 * that the source's watermark generator sees every record in order (dead letters carry no time).
 */
public class ParsedRecord {

    public AuditEvent event;
    public DeadLetter deadLetter;

    public ParsedRecord() {}

    public static ParsedRecord of(AuditEvent event) {
        ParsedRecord r = new ParsedRecord();
        r.event = event;
        return r;
    }

    public static ParsedRecord of(DeadLetter deadLetter) {
        ParsedRecord r = new ParsedRecord();
        r.deadLetter = deadLetter;
        return r;
    }

    /** Event time for the watermark generator; dead letters do not move time. */
    public long eventTime() {
        return event != null ? event.timestamp : Long.MIN_VALUE;
    }
}
