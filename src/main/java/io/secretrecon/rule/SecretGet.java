package io.secretrecon.rule;

import io.secretrecon.event.RecordOrigin;

/**
 * An event the rule kept: one GET of one Secret by one fingerprint, with what the alert needs
 * about it. This is what crosses the network to the keyed detector.
 */
public class SecretGet {

    public String userName;
    public String auditUserName;
    public String sourceIp;
    /** Null when the event had no user agent. */
    public String userAgent;
    public String secretName;
    /** Distinct namespaces of the event, usually one; null if none. */
    public String[] namespaces;
    /** Distinct authorization decisions of the event; null if none. */
    public String[] decisions;
    public String auditId;
    public long timestamp;
    /** For dead-letter entries of late events. */
    public RecordOrigin origin;

    public SecretGet() {}

    public Fingerprint fingerprint() {
        return new Fingerprint(userName, auditUserName, sourceIp, userAgent);
    }
}
