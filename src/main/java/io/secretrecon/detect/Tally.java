package io.secretrecon.detect;

/**
 * An aggregate of sightings: how many, first and last time, and the distinct namespaces,
 * decisions and (the {@value #MAX_AUDIT_IDS} smallest) audit IDs. Mergeable, so the smallest audit
 * IDs of a merge are the smallest of the whole. In a {@link SecretTrail} {@code bucket} is the
 * bucket's key (an event time, or a pane start in {@code windows} mode).
 *
 * <p>Namespaces and decisions are likewise the {@code valueCap} smallest
 * ({@link DetectorSettings#valueCap}, one more than an alert writes): the smallest of a merge are
 * still the smallest of the whole, and a tally holding {@code valueCap} of them says that an
 * alert's list is cut.
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

    /** A copy; the value arrays are shared, since nothing writes into them (they are replaced). */
    Tally copy() {
        Tally c = new Tally();
        c.bucket = bucket;
        c.count = count;
        c.first = first;
        c.last = last;
        c.namespaces = namespaces;
        c.decisions = decisions;
        c.auditIds = auditIds;
        return c;
    }

    void add(long time, Sighting s, int valueCap) {
        count++;
        first = Math.min(first, time);
        last = Math.max(last, time);
        namespaces = SortedValues.union(namespaces, s.namespaces, valueCap);
        decisions = SortedValues.union(decisions, s.decisions, valueCap);
        auditIds = SortedValues.add(auditIds, s.auditId, MAX_AUDIT_IDS);
    }

    void merge(Tally o, int valueCap) {
        count += o.count;
        first = Math.min(first, o.first);
        last = Math.max(last, o.last);
        namespaces = SortedValues.union(namespaces, o.namespaces, valueCap);
        decisions = SortedValues.union(decisions, o.decisions, valueCap);
        auditIds = SortedValues.union(auditIds, o.auditIds, MAX_AUDIT_IDS);
    }
}
