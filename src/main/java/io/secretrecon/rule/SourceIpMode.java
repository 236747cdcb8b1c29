package io.secretrecon.rule;

/** Which of an event's source addresses the rule reads (SPEC §3). */
public enum SourceIpMode {
    /**
     * The last address of the list: the peer the API server saw the connection come from, which
     * a client cannot forge with an {@code X-Forwarded-For} header.
     */
    REMOTE,
    /**
     * All addresses, as Elastic's pipeline copies them into {@code source.ip}: a request through a
     * proxy is multi-valued and dropped by the rule, exactly as ES|QL does.
     */
    ALL
}
