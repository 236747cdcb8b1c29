package io.secretrecon.detect;

import io.secretrecon.alert.Alert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A copy of one fingerprint's state on the heap, detached from Flink: what the agenda does to it
 * changes nothing in the real state, its timers are not set, and its alerts are collected instead
 * of emitted. The early-alert check runs the agenda on one of these to see what the events that
 * have arrived will give once the watermark passes them.
 *
 * <p>The trails are deep copies (the agenda changes them in place); the pending sightings are
 * shared, since the agenda only reads them.
 */
final class DetachedState implements FingerprintState {

    private final Map<String, SecretTrail> trails = new HashMap<>();
    private final Map<Long, Sighting[]> pending = new HashMap<>();
    private KeyStatus status;
    private final List<Alert> emitted = new ArrayList<>();

    private DetachedState() {}

    /**
     * A copy of {@code real}'s trails and pending events, with {@code status} (itself a copy) as
     * its status; null when it would hold more than {@code budget} names, buckets and pending
     * sightings in all (what the copy and an agenda run on it cost).
     */
    static DetachedState copyOf(FingerprintState real, KeyStatus status, int budget) throws Exception {
        long cost = 0;
        for (Map.Entry<String, SecretTrail> e : real.trails()) {
            cost += 1 + e.getValue().size;
            if (cost > budget) {
                return null;
            }
        }
        for (long t : real.pendingTimes()) {
            cost += 1 + real.pending(t).length;
            if (cost > budget) {
                return null;
            }
        }
        DetachedState d = new DetachedState();
        d.status = status;
        for (Map.Entry<String, SecretTrail> e : real.trails()) {
            d.trails.put(e.getKey(), e.getValue().copy());
        }
        for (long t : real.pendingTimes()) {
            d.pending.put(t, real.pending(t));
        }
        return d;
    }

    /** Whether the trails and pending events hold at least {@code n} distinct names. */
    boolean holdsNames(int n) {
        if (trails.size() >= n) {
            return true;
        }
        Set<String> names = new HashSet<>(trails.keySet());
        for (Sighting[] at : pending.values()) {
            for (Sighting x : at) {
                if (names.add(x.secretName) && names.size() >= n) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The latest pending event time, or {@link KeyStatus#NONE}. */
    long latestPending() {
        long latest = KeyStatus.NONE;
        for (long t : pending.keySet()) {
            latest = Math.max(latest, t);
        }
        return latest;
    }

    /** The alerts the agenda emitted on this copy, in order. */
    List<Alert> emitted() {
        return emitted;
    }

    @Override
    public KeyStatus status() {
        return status;
    }

    @Override
    public void status(KeyStatus s) {
        status = s;
    }

    @Override
    public SecretTrail trail(String secretName) {
        return trails.get(secretName);
    }

    @Override
    public boolean hasTrail(String secretName) {
        return trails.containsKey(secretName);
    }

    @Override
    public void putTrail(String secretName, SecretTrail trail) {
        trails.put(secretName, trail);
    }

    @Override
    public void removeTrail(String secretName) {
        trails.remove(secretName);
    }

    @Override
    public Iterable<Map.Entry<String, SecretTrail>> trails() {
        return trails.entrySet();
    }

    @Override
    public Iterable<String> secretNames() {
        return trails.keySet();
    }

    @Override
    public void clearTrails() {
        trails.clear();
    }

    @Override
    public Sighting[] pending(long time) {
        return pending.get(time);
    }

    @Override
    public void putPending(long time, Sighting[] sightings) {
        pending.put(time, sightings);
    }

    @Override
    public void removePending(long time) {
        pending.remove(time);
    }

    @Override
    public Iterable<Long> pendingTimes() {
        return pending.keySet();
    }

    @Override
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    @Override
    public void registerTimer(long time) {}

    @Override
    public void deleteTimer(long time) {}

    @Override
    public void emit(Alert alert) {
        emitted.add(alert);
    }
}
