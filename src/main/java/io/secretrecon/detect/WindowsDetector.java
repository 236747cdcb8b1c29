package io.secretrecon.detect;

import io.secretrecon.alert.AlertIds;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code windows} mode: Elastic's scheduled rule as hopping event-time windows. An event is added
 * once, to its name's pane bucket; a timer at each window end evaluates the window over the
 * buckets it covers, emits an alert if the window reaches the threshold, and drops the buckets no
 * later window covers. The key's state is gone after the last window that covers its last event.
 */
final class WindowsDetector implements Detector {

    private static final long serialVersionUID = 1L;

    private final DetectorSettings settings;
    private final HoppingWindows windows;
    private final WallClock clock;

    WindowsDetector(DetectorSettings settings, WallClock clock) {
        this.settings = settings;
        this.windows = new HoppingWindows(settings);
        this.clock = clock;
    }

    @Override
    public void onEvent(FingerprintState state, SecretGet event) throws Exception {
        long t = event.timestamp;
        long first = windows.firstIndex(t);
        long last = windows.lastIndex(t);
        if (first > last) {
            return; // between windows (lookback shorter than slide): no window can count it
        }
        SecretTrail trail = state.trail(event.secretName);
        if (trail == null) {
            // Only a new name changes the status: a repeated one leaves it alone (no write per event).
            KeyStatus status = state.status();
            if (status == null) {
                status = new KeyStatus();
            }
            status.nameCount++;
            state.status(status);
            trail = SecretTrail.empty();
        }
        trail.add(windows.paneStart(t), t, Sighting.of(event), Long.MIN_VALUE);
        state.putTrail(event.secretName, trail);
        for (long k = first; k <= last; k++) {
            state.registerTimer(windows.end(k) - 1);
        }
    }

    @Override
    public void onTimer(FingerprintState state, Fingerprint key, long time, long watermark) throws Exception {
        KeyStatus status = state.status();
        long end = time + 1;
        if (status == null || !windows.isWindowEnd(end)) {
            return;
        }
        long k = windows.indexEndingAt(end);
        long start = windows.start(k);
        long nextStart = windows.start(k + 1);
        Tally tally = new Tally();
        List<String> names = new ArrayList<>();
        List<String> emptied = new ArrayList<>();
        for (Iterator<Map.Entry<String, SecretTrail>> it = state.trails().iterator(); it.hasNext(); ) {
            Map.Entry<String, SecretTrail> e = it.next();
            SecretTrail trail = e.getValue();
            if (trail.mergeRange(start, end, tally)) {
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
        if (names.size() >= settings.threshold()) {
            names.sort(null);
            state.emit(AlertFactory.build(key, DetectionMode.WINDOWS, AlertIds.forWindow(key, start, end), 1, end,
                    clock.now(), start, end, names, tally));
        }
        for (String name : emptied) {
            state.removeTrail(name);
        }
        status.nameCount -= emptied.size();
        if (status.nameCount == 0) {
            state.status(null);
        } else {
            state.status(status);
        }
    }
}
