package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertIds;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.secretrecon.detect.KeyStatus.NONE;

/**
 * {@code continuous} mode: incident alerts (SPEC §5).
 *
 * <p>Events wait in a pending buffer (by event time) until the watermark passes them; then they
 * are applied in time order, and at each time events apply before the episode's own deadlines
 * (revision due, expiry). Applying means: with no open episode, the trailing window
 * {@code (t - lookback, t]} is evaluated and an episode opens if it holds {@code threshold}
 * distinct names (revision 1 at t); with an open episode the event joins it, and a name the
 * episode had not seen schedules the next revision at {@code max(t, last emission + update
 * interval)}. When a lookback passes without an event the episode closes (with a last revision if
 * it changed since the previous one) and the key's state is cleared.
 *
 * <p>The work is an agenda run up to the current watermark inside whichever timer fires, rather
 * than one Flink timer per deadline: so it is the same in STREAMING mode and in BATCH mode, where
 * all timers fire at the end of a key's input and timers set while firing would be dropped. With
 * {@link InputOrder#SORTED_PER_KEY} (BATCH) an event at t runs the agenda through t - 1 before it
 * is buffered, so the buffer holds the events of one time and nothing waits for the key's end but
 * its last time and deadlines.
 *
 * <p>A fingerprint tracks at most {@link DetectorSettings#maxNamesPerFingerprint} names. Past it,
 * a new name's events still count (event count, namespaces, decisions, audit IDs) but the name is
 * not kept, and the episode's alerts say that their name count is a lower bound. Outside an
 * episode the names of expired trails are dropped first; a batch of new names at one time that
 * still does not fit opens an episode at that very time (it holds at least the bound, which is at
 * least the threshold), so the events whose names were not kept go into it.
 *
 * <p>With {@link DetectorSettings#earlyAlerts} (STREAMING only) each arriving event also runs the
 * agenda on a {@link DetachedState detached copy} of the key's state through its latest pending
 * event. An episode that copy opens is announced at once as a provisional alert (revision 0, the
 * id of an episode opening at that time). Events only add names, so the prediction can only be
 * wrong one way: an event that arrives later, out of order, opens the episode earlier or keeps an
 * earlier one open. When the watermark passes the provisional time, revision 1 confirms it under
 * the same id, or a withdrawal document retracts it. Confirmed alerts are the same with or
 * without early alerts.
 */
final class ContinuousDetector implements Detector {

    private static final long serialVersionUID = 1L;

    /** The one timer of a sorted key: it fires when the key's input ends. */
    static final long END_OF_TIME = Long.MAX_VALUE;

    /** Provisional alerts a fingerprint may have waiting for the watermark, at most; past it none is emitted. */
    static final int MAX_PROVISIONAL = 4;
    /**
     * The most names, buckets and pending sightings the early check copies for one event; a key
     * with more state than that gets no early alert, only the confirmed one.
     */
    static final int EARLY_CHECK_BUDGET = 4096;

    private final DetectorSettings settings;
    private final long lookback;
    private final int valueCap;
    private final InputOrder order;
    private final WallClock clock;

    ContinuousDetector(DetectorSettings settings, InputOrder order, WallClock clock) {
        this.settings = settings;
        this.lookback = settings.lookback();
        this.valueCap = settings.valueCap();
        this.order = order;
        this.clock = clock;
    }

    @Override
    public void onEvent(FingerprintState state, SecretGet event) throws Exception {
        if (order == InputOrder.SORTED_PER_KEY) {
            onSortedEvent(state, event);
            return;
        }
        KeyStatus status = state.status();
        if (status == null) {
            state.status(new KeyStatus());
        }
        long t = event.timestamp;
        Sighting[] at = state.pending(t);
        Sighting s = Sighting.of(event, valueCap);
        if (at == null) {
            at = new Sighting[] {s};
        } else {
            at = Arrays.copyOf(at, at.length + 1);
            at[at.length - 1] = s;
        }
        state.putPending(t, at);
        state.registerTimer(t);
        if (settings.earlyAlerts()) {
            announceEarly(state, event.fingerprint(), t);
        }
    }

    /**
     * Early alerts: runs the agenda on a detached copy of the key's state through its latest
     * pending event, as if the watermark had passed every event that has arrived. Each episode
     * that copy opens and that was not announced yet is emitted now as a provisional alert:
     * revision 0, under the id the confirmed alert will have if nothing earlier arrives (the
     * fingerprint and the opening time). Its opening time is kept in {@link KeyStatus#provisional}
     * until the agenda reaches it ({@link #settleProvisional}).
     */
    private void announceEarly(FingerprintState state, Fingerprint key, long t) throws Exception {
        KeyStatus s = state.status();
        if (s.episodeOpen && t <= s.lastEventTime + lookback) {
            return; // the event joins the open episode: it cannot open one
        }
        if (s.provisional != null && s.provisional.length >= MAX_PROVISIONAL) {
            return;
        }
        DetachedState copy = DetachedState.copyOf(state, s.copy(), EARLY_CHECK_BUDGET);
        if (copy == null || !copy.holdsNames(settings.threshold())) {
            return;
        }
        runAgenda(copy, copy.status(), key, copy.latestPending());
        boolean announced = false;
        for (Alert a : copy.emitted()) {
            if (a.revision != 1 || contains(s.provisional, a.timestamp)) {
                continue; // a later revision, a withdrawal on the copy, or announced before
            }
            if (s.provisional != null && s.provisional.length >= MAX_PROVISIONAL) {
                break;
            }
            a.revision = 0;
            a.status = Alert.PROVISIONAL;
            s.provisional = withTime(s.provisional, a.timestamp);
            state.emit(a);
            announced = true;
        }
        if (announced) {
            state.status(s);
        }
    }

    /**
     * Once the agenda has applied the events of a provisional alert's opening time, the episode
     * opened there (its revision 1 has the provisional's id, and {@link #evaluateTrailingWindow}
     * took the time off) or it did not, because an event that arrived later opened an episode
     * earlier that holds it, or kept an episode open through it. Then the provisional id is
     * withdrawn, at once. (Every provisional time is a pending event time, so the agenda stops
     * there.)
     */
    private void settleProvisional(FingerprintState state, KeyStatus s, Fingerprint key, long now) {
        int n = 0;
        while (n < s.provisional.length && s.provisional[n] <= now) {
            state.emit(withdrawal(key, s.provisional[n]));
            n++;
        }
        s.provisional = n == s.provisional.length ? null : Arrays.copyOfRange(s.provisional, n, s.provisional.length);
    }

    private Alert withdrawal(Fingerprint key, long openedAt) {
        Alert a = AlertFactory.build(settings, key, DetectionMode.CONTINUOUS,
                AlertIds.forEpisode(key, openedAt), 0, openedAt, clock.now(), openedAt, openedAt, List.of(), new Tally(),
                false);
        a.secretsNames = null;
        a.firstSeen = openedAt;
        a.lastSeen = openedAt;
        a.status = Alert.WITHDRAWN;
        return a;
    }

    private static boolean contains(long[] times, long t) {
        return times != null && Arrays.binarySearch(times, t) >= 0;
    }

    /** {@code times} (ascending, or null) with {@code t} added. */
    private static long[] withTime(long[] times, long t) {
        if (times == null) {
            return new long[] {t};
        }
        long[] out = Arrays.copyOf(times, times.length + 1);
        out[times.length] = t;
        Arrays.sort(out);
        return out;
    }

    /** {@code times} (ascending, or null) without {@code t}; null when nothing is left. */
    private static long[] withoutTime(long[] times, long t) {
        int at = times == null ? -1 : Arrays.binarySearch(times, t);
        if (at < 0) {
            return times;
        }
        if (times.length == 1) {
            return null;
        }
        long[] out = new long[times.length - 1];
        System.arraycopy(times, 0, out, 0, at);
        System.arraycopy(times, at + 1, out, at, times.length - at - 1);
        return out;
    }

    /**
     * A key's events by time: everything before t has come, so the agenda runs through t - 1 now;
     * the event waits only for the rest of its time. One timer, at the end of time, finishes the
     * key when its input ends.
     */
    private void onSortedEvent(FingerprintState state, SecretGet event) throws Exception {
        long t = event.timestamp;
        KeyStatus s = state.status();
        if (s == null) {
            s = new KeyStatus();
        } else {
            if (t <= s.processedThrough) {
                throw unsorted(t, s.processedThrough);
            }
            if (t - 1 > s.processedThrough) {
                runAgenda(state, s, event.fingerprint(), t - 1);
            }
        }
        Sighting[] at = null;
        for (long p : state.pendingTimes()) {
            if (p != t) {
                throw unsorted(t, p);
            }
            at = state.pending(t);
        }
        // The buffer of one time grows by doubling (unused slots are null): appending stays O(1).
        int n = at == null ? 0 : used(at);
        if (at == null || n == at.length) {
            at = at == null ? new Sighting[1] : Arrays.copyOf(at, n * 2);
        }
        at[n] = Sighting.of(event, valueCap);
        state.putPending(t, at);
        state.status(s);
        state.registerTimer(END_OF_TIME);
    }

    /** The number of sightings in a buffer whose unused slots are null (all at the end). */
    private static int used(Sighting[] at) {
        int lo = 0;
        int hi = at.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at[mid] != null) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static IllegalStateException unsorted(long t, long seen) {
        return new IllegalStateException("the detector was told that each key's input is sorted by time (BATCH),"
                + " but an event at " + t + " came after time " + seen + " had been seen");
    }

    @Override
    public void onTimer(FingerprintState state, Fingerprint key, long time, long watermark) throws Exception {
        KeyStatus s = state.status();
        if (s == null || watermark <= s.processedThrough) {
            return;
        }
        runAgenda(state, s, key, watermark);
        if (s.lastEventTime == NONE && !s.episodeOpen && s.provisional == null && !state.hasPending()) {
            state.status(null);
            return;
        }
        if (s.revisionDueAt != NONE) {
            state.registerTimer(s.revisionDueAt);
        }
        if (s.lastEventTime != NONE) {
            state.registerTimer(expiry(s));
        }
        state.status(s);
    }

    /** Applies the pending events and the deadlines up to the watermark, in time order. */
    private void runAgenda(FingerprintState state, KeyStatus s, Fingerprint key, long watermark) throws Exception {
        long[] pendingTimes = dueTimes(state, watermark);
        int next = 0;
        while (true) {
            long now = earliest(next < pendingTimes.length ? pendingTimes[next] : NONE, s.revisionDueAt, expiry(s));
            if (now == NONE || now > watermark) {
                break;
            }
            if (next < pendingTimes.length && pendingTimes[next] == now) {
                apply(state, s, key, now, state.pending(now));
                state.removePending(now);
                next++;
                if (s.provisional != null) {
                    settleProvisional(state, s, key, now);
                }
            }
            if (s.episodeOpen && s.revisionDueAt == now) {
                s.revisionDueAt = NONE;
                emitRevision(state, s, key, now);
            }
            if (s.lastEventTime != NONE && expiry(s) == now) {
                expire(state, s, key, now);
            }
        }
        s.processedThrough = watermark;
    }

    /** Pending event times up to the watermark, ascending. */
    private static long[] dueTimes(FingerprintState state, long watermark) throws Exception {
        long[] times = new long[8];
        int n = 0;
        for (long t : state.pendingTimes()) {
            if (t <= watermark) {
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n++] = t;
            }
        }
        times = Arrays.copyOf(times, n);
        Arrays.sort(times);
        return times;
    }

    private long expiry(KeyStatus s) {
        return s.lastEventTime == NONE ? NONE : s.lastEventTime + lookback;
    }

    /** The earliest of three deadlines, any of which may be NONE. */
    private static long earliest(long a, long b, long c) {
        return earlier(earlier(a, b), c);
    }

    private static long earlier(long a, long b) {
        return a == NONE ? b : b == NONE ? a : Math.min(a, b);
    }

    private void apply(FingerprintState state, KeyStatus s, Fingerprint key, long t, Sighting[] sightings) throws Exception {
        int maxNames = settings.maxNamesPerFingerprint();
        boolean pruned = false;
        Tally untracked = null; // outside an episode: the sightings at t whose names did not fit
        for (Sighting x : sightings) {
            if (x == null) {
                break; // the unused end of a sorted input's buffer
            }
            if (s.episodeOpen) {
                if (!state.hasTrail(x.secretName)) {
                    if (s.nameCount < maxNames) {
                        state.putTrail(x.secretName, SecretTrail.empty());
                        s.nameCount++;
                        s.changed = true;
                    } else if (!s.namesDropped) {
                        s.namesDropped = true;
                        s.changed = true; // the next revision says that its count is a lower bound
                    }
                }
                s.episode.add(t, x, valueCap);
            } else {
                SecretTrail trail = state.trail(x.secretName);
                if (trail == null) {
                    if (s.nameCount >= maxNames && !pruned) {
                        pruneExpired(state, s, t);
                        pruned = true;
                    }
                    if (s.nameCount >= maxNames) {
                        s.namesDropped = true;
                        if (untracked == null) {
                            untracked = new Tally();
                        }
                        untracked.add(t, x, valueCap);
                        continue;
                    }
                    trail = SecretTrail.empty();
                    s.nameCount++;
                }
                trail.add(t, t, x, t - lookback + 1, valueCap);
                state.putTrail(x.secretName, trail);
            }
        }
        s.lastEventTime = t;
        if (!s.episodeOpen) {
            if (s.nameCount >= settings.threshold()) {
                evaluateTrailingWindow(state, s, key, t, untracked);
            }
        } else if (s.changed && s.revisionDueAt == NONE) {
            s.revisionDueAt = Math.max(t, s.lastEmission + settings.updateInterval());
        }
    }

    /**
     * Evaluates {@code (t - lookback, t]}; opens an episode when it reaches the threshold, with
     * {@code untracked} (sightings at t whose names did not fit, or null) in its tally.
     */
    private void evaluateTrailingWindow(FingerprintState state, KeyStatus s, Fingerprint key, long t, Tally untracked)
            throws Exception {
        pruneExpired(state, s, t);
        int live = s.nameCount;
        if (live < settings.threshold()) {
            return;
        }
        long from = t - lookback + 1;
        Tally episode = new Tally();
        List<String> names = new ArrayList<>(live);
        for (Map.Entry<String, SecretTrail> e : state.trails()) {
            e.getValue().mergeRange(from, t + 1, episode, valueCap);
            names.add(e.getKey());
        }
        if (untracked != null) {
            episode.merge(untracked, valueCap);
        }
        // While the episode is open the names' trails are not needed: the episode tally holds all.
        for (String name : names) {
            state.putTrail(name, SecretTrail.empty());
        }
        names.sort(null);
        s.episodeOpen = true;
        s.openedAt = t;
        s.revision = 1;
        s.lastEmission = t;
        s.changed = false;
        s.revisionDueAt = NONE;
        s.episode = episode;
        s.provisional = withoutTime(s.provisional, t); // confirmed: revision 1 has the provisional's id
        state.emit(alert(s, key, t, names));
    }

    /** Drops the names with no sighting in {@code (t - lookback, t]}; the rest are the name count. */
    private void pruneExpired(FingerprintState state, KeyStatus s, long t) throws Exception {
        long from = t - lookback + 1;
        List<String> expired = new ArrayList<>();
        int live = 0;
        for (Map.Entry<String, SecretTrail> e : state.trails()) {
            if (e.getValue().lastKey() >= from) {
                live++;
            } else {
                expired.add(e.getKey());
            }
        }
        for (String name : expired) {
            state.removeTrail(name);
        }
        s.nameCount = live;
    }

    private void emitRevision(FingerprintState state, KeyStatus s, Fingerprint key, long now) throws Exception {
        if (!s.changed) {
            return;
        }
        s.revision++;
        s.lastEmission = now;
        s.changed = false;
        state.emit(alert(s, key, now, AlertFactory.sorted(state.secretNames())));
    }

    private void expire(FingerprintState state, KeyStatus s, Fingerprint key, long now) throws Exception {
        if (s.episodeOpen) {
            emitRevision(state, s, key, now);
            if (s.revisionDueAt != NONE) {
                if (state.pending(s.revisionDueAt) == null) {
                    state.deleteTimer(s.revisionDueAt);
                }
                s.revisionDueAt = NONE;
            }
            s.episodeOpen = false;
            s.episode = null;
            s.openedAt = NONE;
            s.revision = 0;
            s.lastEmission = NONE;
            s.changed = false;
        }
        s.namesDropped = false;
        // Every applied event is at or before now - lookback: no later trailing window holds one.
        state.clearTrails();
        s.nameCount = 0;
        s.lastEventTime = NONE;
    }

    private Alert alert(KeyStatus s, Fingerprint key, long now, List<String> names) {
        Tally e = s.episode;
        return AlertFactory.build(settings, key, DetectionMode.CONTINUOUS, AlertIds.forEpisode(key, s.openedAt),
                s.revision, now, clock.now(), e.first, e.last, names, e, s.namesDropped);
    }
}
