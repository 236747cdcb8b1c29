package io.secretrecon.event;

/**
 * A record the job could not use, on its way to the dead-letter output. {@code record} is the
 * record text with {@code requestObject}/{@code responseObject} removed, at most 64 KiB of UTF-8
 * ({@link DeadLetters#sanitize}).
 */
public class DeadLetter {

    /** Machine-readable reason: {@code malformed}, {@code too-large} or {@code late}. */
    public String reason;
    /** What exactly was wrong, for a person. */
    public String detail;
    public RecordOrigin origin;
    /** Index of the item within an EventList, -1 otherwise. */
    public int item = -1;
    public String record;
    public boolean truncated;

    public DeadLetter() {}

    public DeadLetter(String reason, String detail, RecordOrigin origin, int item, String record, boolean truncated) {
        this.reason = reason;
        this.detail = detail;
        this.origin = origin;
        this.item = item;
        this.record = record;
        this.truncated = truncated;
    }
}
