package io.secretrecon.event;

/**
 * A record the job could not use, on its way to the dead-letter output. {@code record} is the
 * record text without any payload value ({@code requestObject}/{@code responseObject} and webhook
 * patch annotations removed, or the text cut before them), at most 64 KiB of UTF-8
 * ({@link DeadLetters#sanitize}).
 *
 * <p>Made only by {@link DeadLetters}, so that no dead letter skips sanitizing. It stays a Flink
 * POJO (public fields, public no-argument constructor; {@code reason} a plain string) because it
 * travels between operators: the no-argument constructor is for Flink's serializer, not for code.
 */
public class DeadLetter {

    /** Machine-readable reason, the {@link DeadLetterReason#wireName() wire name} of a {@link DeadLetterReason}. */
    public String reason;
    /** What exactly was wrong, for a person. Never quotes a payload. */
    public String detail;
    public RecordOrigin origin;
    /** Index of the item within an EventList, -1 otherwise. */
    public int item = -1;
    public String record;
    /** Whether {@code record} is less than the whole record (cut before a payload, at 64 KiB, or a head). */
    public boolean truncated;

    public DeadLetter() {}

    DeadLetter(String reason, String detail, RecordOrigin origin, int item, String record, boolean truncated) {
        this.reason = reason;
        this.detail = detail;
        this.origin = origin;
        this.item = item;
        this.record = record;
        this.truncated = truncated;
    }
}
