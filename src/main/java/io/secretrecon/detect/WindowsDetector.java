package io.secretrecon.detect;

import io.secretrecon.alert.AlertIds;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.secretrecon.detect.KeyStatus.NONE;

/**
 * {@code windows} mode: Elastic's scheduled rule as hopping event-time windows. An event is added
 * once, to its name's pane bucket; a timer at each window end evaluates the window over the
 * buckets it covers, emits an alert if the window reaches the threshold, and drops the buckets no
 * later window covers. The key's state is gone after the last window that covers its last event.
 *
 * <p>With {@link InputOrder#SORTED_PER_KEY} (BATCH, where timers fire only at the end of a key's
 * input) an event at t first evaluates every window that ends at or before t, in order, as the
 * timers would have; one timer at the end of time evaluates the rest. So a key's state holds the
 * panes of one lookback, not of its whole history.
 *
 * <p>A fingerprint tracks at most {@link DetectorSettings#maxNamesPerFingerprint} names. The events
 * of a name that does not fit are kept by pane without their name ({@link KeyStatus#untracked}):
 * windows still count them, and a window holding any says that its name count is a lower bound.
 */
final class WindowsDetector implements Detector {

    private static final long serialVersionUID = 1L;

    private final DetectorSettings settings;
    private final HoppingWindows windows;
    private final int valueCap;
    private final InputOrder order;
    private final WallClock clock;

    WindowsDetector(DetectorSettings settings, InputOrder order, WallClock clock) {
        this.settings = settings;
        this.windows = new HoppingWindows(settings);
        this.valueCap = settings.valueCap();
        this.order = order;
        this.clock = clock;
    }

    @Override
    public void onEvent(FingerprintState state, SecretGet event) throws Exception {
        long t = event.timestamp;
        boolean sorted = order == InputOrder.SORTED_PER_KEY;
        KeyStatus status = null;
        boolean statusChanged = false;
        if (sorted) {
            status = state.status();
            if (status != null) {
                if (t < status.lastEventTime) {
                    throw new IllegalStateException("the detector was told that each key's input is sorted by time"
                            + " (BATCH), but an event at " + t + " came after one at " + status.lastEventTime);
                }
                statusChanged = evaluateBefore(state, status, event.fingerprint(), t);
                if (isEmpty(status)) {
                    state.status(null);
                    status = null;
                    statusChanged = false;
                }
            }
        }
        long first = windows.firstIndex(t);
        long last = windows.lastIndex(t);
        if (first > last) {
            // between windows (lookback shorter than slide): no window can count it
            if (statusChanged) {
                state.status(status);
            }
            return;
        }
        SecretTrail trail = state.trail(event.secretName);
        Sighting sighting = Sighting.of(event, valueCap);
        if (trail == null) {
            // Only a new name changes the status: a repeated one leaves it alone (no write per event).
            if (status == null) {
                status = state.status();
            }
            if (status == null) {
                status = new KeyStatus();
            }
            statusChanged = true;
            if (status.nameCount < settings.maxNamesPerFingerprint()) {
                status.nameCount++;
                trail = SecretTrail.empty();
            } else {
                if (status.untracked == null) {
                    status.untracked = SecretTrail.empty();
                }
                status.untracked.add(windows.paneStart(t), t, sighting, Long.MIN_VALUE, valueCap);
            }
        }
        if (trail != null) {
            trail.add(windows.paneStart(t), t, sighting, Long.MIN_VALUE, valueCap);
            state.putTrail(event.secretName, trail);
        }
        if (sorted) {
            if (status == null) {
                status = state.status();
            }
            if (status.nextWindow == NONE) {
                status.nextWindow = first;
                statusChanged = true;
            }
            if (status.lastWindow == NONE || last > status.lastWindow) {
                status.lastWindow = last;
                statusChanged = true;
            }
            if (t != status.lastEventTime) {
                status.lastEventTime = t;
                statusChanged = true;
            }
            if (statusChanged) {
                state.status(status);
            }
            state.registerTimer(ContinuousDetector.END_OF_TIME);
            return;
        }
        if (statusChanged) {
            state.status(status);
        }
        for (long k = first; k <= last; k++) {
            state.registerTimer(windows.end(k) - 1);
        }
    }

    @Override
    public void onTimer(FingerprintState state, Fingerprint key, long time, long watermark) throws Exception {
        KeyStatus status = state.status();
        if (status == null) {
            return;
        }
        if (order == InputOrder.SORTED_PER_KEY) {
            evaluateBefore(state, status, key, Long.MAX_VALUE); // the one timer: the key's input has ended
        } else {
            long end = time + 1;
            if (!windows.isWindowEnd(end)) {
                return;
            }
            evaluate(state, status, key, windows.indexEndingAt(end));
        }
        state.status(isEmpty(status) ? null : status);
    }

    /**
     * Sorted input: evaluates, in order, the pending windows that end at or before {@code t} (all
     * of them for {@code Long.MAX_VALUE}). Whether the status changed; the caller writes it.
     */
    private boolean evaluateBefore(FingerprintState state, KeyStatus status, Fingerprint key, long t) throws Exception {
        if (status.nextWindow == NONE) {
            return false;
        }
        long k = status.nextWindow;
        boolean any = false;
        while (k <= status.lastWindow && (t == Long.MAX_VALUE || windows.end(k) <= t)) {
            evaluate(state, status, key, k);
            k++;
            any = true;
        }
        if (any) {
            status.nextWindow = k > status.lastWindow ? NONE : k;
            if (status.nextWindow == NONE) {
                status.lastWindow = NONE;
            }
        }
        return any;
    }

    /**
     * Evaluates window {@code k}: emits its alert if it reaches the threshold, then drops the
     * buckets no later window covers. Updates {@code status} without writing it.
     */
    private void evaluate(FingerprintState state, KeyStatus status, Fingerprint key, long k) throws Exception {
        long start = windows.start(k);
        long end = windows.end(k);
        long nextStart = windows.start(k + 1);
        Tally tally = new Tally();
        List<String> names = new ArrayList<>();
        List<String> emptied = new ArrayList<>();
        for (Iterator<Map.Entry<String, SecretTrail>> it = state.trails().iterator(); it.hasNext(); ) {
            Map.Entry<String, SecretTrail> e = it.next();
            SecretTrail trail = e.getValue();
            if (trail.mergeRange(start, end, tally, valueCap)) {
                names.add(e.getKey());
            }
            if (trail.dropBelow(nextStart) > 0) {
                if (trail.isEmpty()) {
                    emptied.add(e.getKey());
                } else {
                    state.putTrail(e.getKey(), trail);
                }
            }
        }
        boolean untracked = false;
        if (status.untracked != null) {
            untracked = status.untracked.mergeRange(start, end, tally, valueCap);
            status.untracked.dropBelow(nextStart);
            if (status.untracked.isEmpty()) {
                status.untracked = null;
            }
        }
        if (names.size() >= settings.threshold()) {
            names.sort(null);
            state.emit(AlertFactory.build(settings, key, DetectionMode.WINDOWS, AlertIds.forWindow(key, start, end), 1,
                    end, clock.now(), start, end, names, tally, untracked));
        }
        for (String name : emptied) {
            state.removeTrail(name);
        }
        status.nameCount -= emptied.size();
    }

    /** Whether the key holds nothing any window can use. */
    private static boolean isEmpty(KeyStatus status) {
        return status.nameCount == 0 && status.untracked == null;
    }
}
