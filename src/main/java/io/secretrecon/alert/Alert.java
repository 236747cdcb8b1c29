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

    /**
     * {@code secret_recon.status}, written only when not null: {@link #PROVISIONAL} (revision 0,
     * an early alert the watermark has not confirmed yet) or {@link #WITHDRAWN} (the watermark
     * passed a provisional alert's opening time and no episode opened there). Null: a confirmed
     * alert, the only kind without early alerts.
     */
    public String status;

    public static final String PROVISIONAL = "provisional";
    public static final String WITHDRAWN = "withdrawn";

    public Alert() {}

    /**
     * The Elasticsearch external version of this document: its revision (0 for a provisional
     * alert), and 1 for a withdrawal. A withdrawn id never gets a confirmed revision, since no
     * episode opened at its time, so 1 overwrites the provisional document and clashes with nothing.
     */
    public long storeVersion() {
        return WITHDRAWN.equals(status) ? 1 : revision;
    }
}
