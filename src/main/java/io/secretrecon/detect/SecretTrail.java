package io.secretrecon.detect;

import java.util.Arrays;

/**
 * The value of the detector's MapState for one secret name: its sightings, aggregated per bucket
 * and sorted by bucket key. In {@code continuous} mode a bucket is one event time (exact trailing
 * windows need exact times); in {@code windows} mode it is a pane (events that belong to exactly
 * the same windows), so a name holds a handful of buckets however often it is read.
 *
 * <p>{@code buckets} is a growable array of which the first {@code size} entries are used; expired
 * buckets are dropped when it is full, so appending is amortised O(1).
 */
public class SecretTrail {

    public Tally[] buckets;
    public int size;

    public SecretTrail() {}

    static SecretTrail empty() {
        SecretTrail t = new SecretTrail();
        t.buckets = new Tally[0];
        return t;
    }

    /** A copy that shares no bucket with this one. */
    SecretTrail copy() {
        SecretTrail c = new SecretTrail();
        c.buckets = new Tally[buckets.length];
        for (int i = 0; i < size; i++) {
            c.buckets[i] = buckets[i].copy();
        }
        c.size = size;
        return c;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long lastKey() {
        return buckets[size - 1].bucket;
    }

    /**
     * Adds a sighting at {@code time} to the bucket {@code key}; when the array is full, buckets
     * with keys below {@code expiredBelow} are dropped first.
     */
    void add(long key, long time, Sighting s, long expiredBelow, int valueCap) {
        int at = find(key);
        if (at >= 0) {
            buckets[at].add(time, s, valueCap);
            return;
        }
        int insert = -at - 1;
        if (size == buckets.length) {
            int dropped = dropBelow(expiredBelow);
            insert -= Math.min(dropped, insert);
            if (size == buckets.length) {
                buckets = Arrays.copyOf(buckets, Math.max(2, buckets.length * 2));
            }
        }
        System.arraycopy(buckets, insert, buckets, insert + 1, size - insert);
        Tally b = Tally.bucket(key);
        b.add(time, s, valueCap);
        buckets[insert] = b;
        size++;
    }

    /** Merges buckets with {@code from <= key < to} into {@code into}; whether there was any. */
    boolean mergeRange(long from, long to, Tally into, int valueCap) {
        int i = find(from);
        if (i < 0) {
            i = -i - 1;
        }
        boolean any = false;
        for (; i < size && buckets[i].bucket < to; i++) {
            into.merge(buckets[i], valueCap);
            any = true;
        }
        return any;
    }

    /** Drops buckets with keys below {@code key}; returns how many. */
    int dropBelow(long key) {
        int cut = find(key);
        if (cut < 0) {
            cut = -cut - 1;
        }
        if (cut > 0) {
            System.arraycopy(buckets, cut, buckets, 0, size - cut);
            Arrays.fill(buckets, size - cut, size, null);
            size -= cut;
        }
        return cut;
    }

    /** Binary search over the used part: index, or -(insertion point) - 1. */
    private int find(long key) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = buckets[mid].bucket;
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
