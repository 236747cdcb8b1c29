package io.secretrecon.detect;

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
 * all timers fire at the end of a key's input and timers set while firing would be dropped.
 */
final class ContinuousDetector implements Detector {

    private static final long serialVersionUID = 1L;

    private final DetectorSettings settings;
    private final long lookback;
    private final WallClock clock;

    ContinuousDetector(DetectorSettings settings, WallClock clock) {
        this.settings = settings;
        this.lookback = settings.lookback();
        this.clock = clock;
    }

    @Override
    public void onEvent(FingerprintState state, SecretGet event) throws Exception {
        KeyStatus status = state.status();
        if (status == null) {
            state.status(new KeyStatus());
        }
        long t = event.timestamp;
        Sighting[] at = state.pending(t);
        Sighting s = Sighting.of(event);
        if (at == null) {
            at = new Sighting[] {s};
        } else {
            at = Arrays.copyOf(at, at.length + 1);
            at[at.length - 1] = s;
        }
        state.putPending(t, at);
        state.registerTimer(t);
    }

    @Override
    public void onTimer(FingerprintState state, Fingerprint key, long time, long watermark) throws Exception {
        KeyStatus s = state.status();
        if (s == null || watermark <= s.processedThrough) {
            return;
        }
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
        if (s.lastEventTime == NONE && !s.episodeOpen && !state.hasPending()) {
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
        for (Sighting x : sightings) {
            if (s.episodeOpen) {
                if (!state.hasTrail(x.secretName)) {
                    state.putTrail(x.secretName, SecretTrail.empty());
                    s.nameCount++;
                    s.changed = true;
                }
                s.episode.add(t, x);
            } else {
                SecretTrail trail = state.trail(x.secretName);
                if (trail == null) {
                    trail = SecretTrail.empty();
                    s.nameCount++;
                }
                trail.add(t, t, x, t - lookback + 1);
                state.putTrail(x.secretName, trail);
            }
        }
        s.lastEventTime = t;
        if (!s.episodeOpen) {
            if (s.nameCount >= settings.threshold()) {
                evaluateTrailingWindow(state, s, key, t);
            }
        } else if (s.changed && s.revisionDueAt == NONE) {
            s.revisionDueAt = Math.max(t, s.lastEmission + settings.updateInterval());
        }
    }

    /** Evaluates {@code (t - lookback, t]}; opens an episode when it reaches the threshold. */
    private void evaluateTrailingWindow(FingerprintState state, KeyStatus s, Fingerprint key, long t) throws Exception {
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
        if (live < settings.threshold()) {
            return;
        }
        Tally episode = new Tally();
        List<String> names = new ArrayList<>(live);
        for (Map.Entry<String, SecretTrail> e : state.trails()) {
            e.getValue().mergeRange(from, t + 1, episode);
            names.add(e.getKey());
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
        state.emit(alert(s, key, t, names));
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
        // Every applied event is at or before now - lookback: no later trailing window holds one.
        state.clearTrails();
        s.nameCount = 0;
        s.lastEventTime = NONE;
    }

    private io.secretrecon.alert.Alert alert(KeyStatus s, Fingerprint key, long now, List<String> names) {
        Tally e = s.episode;
        return AlertFactory.build(key, DetectionMode.CONTINUOUS, AlertIds.forEpisode(key, s.openedAt), s.revision,
                now, clock.now(), e.first, e.last, names, e);
    }
}
