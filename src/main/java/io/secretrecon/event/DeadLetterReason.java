package io.secretrecon.event;

/**
 * Why a record went to the dead-letter output. The {@link #wireName() wire name} is what the
 * dead-letter document's {@code reason} field holds (SPEC §7): consumers match on it, so it never
 * changes once released.
 *
 * <p>Adding a reason is one constant here and, if it needs its own detail text, one method in
 * {@link DeadLetters}; everything else (sanitizing, truncation, the JSON form) is shared.
 */
public enum DeadLetterReason {

    /** Not valid UTF-8 JSON, a wrong type or an unparsable value where the rule reads one, no event time. */
    MALFORMED("malformed"),
    /** Longer than {@code source.max-record-size}; only its head was kept, unread. */
    TOO_LARGE("too-large"),
    /** An event the rule kept, at or behind the watermark when it reached the detector. */
    LATE("late"),
    /** An event time too far ahead of the wall clock ({@code watermark.max-future-skew}). */
    FUTURE("future"),
    /** An alert an output refused for good (Elasticsearch: a mapping error, a document too large). */
    REJECTED("rejected"),
    /** A rule-exception entry on the control stream that cannot be used; it changes nothing. */
    MALFORMED_EXCEPTION("malformed-exception");

    private final String wireName;

    DeadLetterReason(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the dead-letter document's {@code reason} field. */
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
