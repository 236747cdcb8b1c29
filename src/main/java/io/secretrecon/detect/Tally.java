package io.secretrecon.detect;

/**
 * An aggregate of sightings: how many, first and last time, and the distinct namespaces,
 * decisions and (the {@value #MAX_AUDIT_IDS} smallest) audit IDs. Mergeable, so the smallest audit
 * IDs of a merge are the smallest of the whole. In a {@link SecretTrail} {@code bucket} is the
 * bucket's key (an event time, or a pane start in {@code windows} mode).
 */
public class Tally {

    public static final int MAX_AUDIT_IDS = 20;

    public long bucket;
    public long count;
    public long first = Long.MAX_VALUE;
    public long last = Long.MIN_VALUE;
    public String[] namespaces;
    public String[] decisions;
    public String[] auditIds;

    public Tally() {}

    static Tally bucket(long key) {
        Tally t = new Tally();
        t.bucket = key;
        return t;
    }

    void add(long time, Sighting s) {
        count++;
        first = Math.min(first, time);
        last = Math.max(last, time);
        namespaces = SortedValues.union(namespaces, s.namespaces, Integer.MAX_VALUE);
        decisions = SortedValues.union(decisions, s.decisions, Integer.MAX_VALUE);
        auditIds = SortedValues.add(auditIds, s.auditId, MAX_AUDIT_IDS);
    }

    void merge(Tally o) {
        count += o.count;
        first = Math.min(first, o.first);
        last = Math.max(last, o.last);
        namespaces = SortedValues.union(namespaces, o.namespaces, Integer.MAX_VALUE);
        decisions = SortedValues.union(decisions, o.decisions, Integer.MAX_VALUE);
        auditIds = SortedValues.union(auditIds, o.auditIds, MAX_AUDIT_IDS);
    }
}
