package io.secretrecon.config;

/**
 * The kinds of output, for alerts ({@code sink.type}) and dead letters ({@code dead-letter.type}).
 * Each has one class in {@code pipeline/} that attaches it; this enum only names them.
 */
public enum OutputType {
    STDOUT,
    FILE,
    KAFKA,
    /** Alerts only: dead letters are not alerts and have no index of their own. */
    ELASTICSEARCH;

    /** Whether this kind can take the dead-letter output too. */
    public boolean takesDeadLetters() {
        return this != ELASTICSEARCH;
    }
}
