package io.secretrecon.alert;

/**
 * One alert (SPEC §6). Times are epoch milliseconds; {@link AlertJson} writes the document.
 * Value lists are sorted and distinct; null where empty, as ES|QL's VALUES gives null.
 */
public class Alert {

    /** kibana.alert.uuid: the Elasticsearch _id and the Kafka record key. */
    public String id;
    /** Event time of emission: the window end ({@code windows}) or the emission time ({@code continuous}). */
    public long timestamp;
    /** Wall clock at emission. */
    public long created;

    public String userName;
    public String auditUserName;
    public String sourceIp;
    public String userAgent;

    public long uniqueCredentials;
    public String[] secretsNames;
    public String[] namespaces;
    public String[] outcomes;

    public String mode;
    public int revision;
    public long windowStart;
    public long windowEnd;
    public long firstSeen;
    public long lastSeen;
    public long eventCount;
    public String[] auditIds;

    /** A value list was cut to the alert's bounds ({@code secret_recon.values_truncated}, written only when true). */
    public boolean valuesTruncated;
    /**
     * The fingerprint had more names than its state tracks, so {@code uniqueCredentials} may be
     * below the truth ({@code secret_recon.unique_credentials_lower_bound}, written only when true).
     */
    public boolean uniqueCredentialsLowerBound;

    public Alert() {}
}
