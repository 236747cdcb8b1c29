package io.secretrecon.event;

/**
 * A record the parser cannot use. Thrown and caught within this package, where it becomes a
 * {@code malformed} dead letter whose detail is the message; so a message names fields and
 * types, never a payload. No stack trace: it is control flow, thrown once per bad record.
 */
final class MalformedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message) {
        super(message, null, false, false);
    }
}
