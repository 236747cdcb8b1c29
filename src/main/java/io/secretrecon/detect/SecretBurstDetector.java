package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.EventTimes;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The keyed detector: per fingerprint, a MapState from secret name to its {@link SecretTrail}, a
 * MapState of pending events by event time ({@code continuous} mode) and a {@link KeyStatus}.
 * It only moves data between Flink and the mode's {@link Detector}; late events (at or behind the
 * watermark) go, as {@link DeadLetters#late late dead letters}, to the side output the topology
 * names when it creates the function (so this package depends on no part of the topology).
 *
 * <p>State names are part of the savepoint format: a layout change gets a new versioned name.
 */
public class SecretBurstDetector extends KeyedProcessFunction<Fingerprint, SecretGet, Alert> {

    private static final long serialVersionUID = 1L;

    public static final String SECRET_NAMES_STATE = "secret-names-v1";
    public static final String PENDING_STATE = "pending-secret-gets-v1";
    public static final String STATUS_STATE = "fingerprint-status-v1";

    public static final String METRIC_LATE = "lateEvents";
    public static final String METRIC_ALERTS = "alertsEmitted";
    public static final String METRIC_ACTIVE = "activeFingerprints";
    public static final String METRIC_PROVISIONAL = "provisionalAlertsEmitted";
    public static final String METRIC_WITHDRAWN = "provisionalAlertsWithdrawn";

    private final Detector detector;
    private final OutputTag<DeadLetter> lateEvents;
    /**
     * BATCH: the sort key of the input ({@link Fingerprint#digest()}), whose keys' events arrive
     * together; null in STREAMING.
     */
    private final SortKey sortKey;

    private transient FlinkFingerprintState state;
    private transient Counter late;
    private transient Counter alerts;
    private transient Counter provisional;
    private transient Counter withdrawn;
    private transient long activeFingerprints;
    private transient long gaugeEpoch;
    /** BATCH: the key of the events seen last, for {@link #checkSortKey}. */
    private transient Fingerprint lastKey;
    private transient byte[] lastKeyBytes;
    private transient LongCounter lateTotal;
    private transient LongCounter alertsTotal;

    /**
     * @param order how each key's events arrive: {@link InputOrder#SORTED_PER_KEY} in a BATCH
     *     run ({@link InputOrder#of}), which keeps the state of a key with a long history small
     * @param lateEvents the side output for dead letters of late events
     */
    public SecretBurstDetector(DetectorSettings settings, InputOrder order, OutputTag<DeadLetter> lateEvents) {
        this(Detector.create(settings, order, Detector.WallClock.system()), lateEvents,
                order == InputOrder.SORTED_PER_KEY ? Fingerprint::digest : null);
    }

    SecretBurstDetector(Detector detector, OutputTag<DeadLetter> lateEvents) {
        this(detector, lateEvents, null);
    }

    /** @param sortKey the bytes BATCH sorts the input by, or null for STREAMING */
    SecretBurstDetector(Detector detector, OutputTag<DeadLetter> lateEvents, SortKey sortKey) {
        this.detector = detector;
        this.lateEvents = lateEvents;
        this.sortKey = sortKey;
    }

    /** The bytes a BATCH run sorts the detector's input by. */
    interface SortKey extends Serializable {
        byte[] of(Fingerprint key);
    }

    @Override
    public void open(OpenContext openContext) {
        MapState<String, SecretTrail> names = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(SECRET_NAMES_STATE, Types.STRING, TypeInformation.of(SecretTrail.class)));
        MapState<Long, Sighting[]> pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(PENDING_STATE, Types.LONG, TypeInformation.of(Sighting[].class)));
        ValueState<KeyStatus> status = getRuntimeContext().getState(
                new ValueStateDescriptor<>(STATUS_STATE, TypeInformation.of(KeyStatus.class)));
        state = new FlinkFingerprintState(names, pending, status);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        late = metrics.counter(METRIC_LATE);
        alerts = metrics.counter(METRIC_ALERTS);
        provisional = metrics.counter(METRIC_PROVISIONAL);
        withdrawn = metrics.counter(METRIC_WITHDRAWN);
        metrics.gauge(METRIC_ACTIVE, () -> activeFingerprints);
        gaugeEpoch = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        lateTotal = new LongCounter();
        alertsTotal = new LongCounter();
        getRuntimeContext().addAccumulator("late", lateTotal);
        getRuntimeContext().addAccumulator("alerts", alertsTotal);
    }

    @Override
    public void processElement(SecretGet event, Context ctx, Collector<Alert> out) throws Exception {
        if (event.timestamp <= ctx.timerService().currentWatermark()) {
            late.inc();
            lateTotal.add(1);
            ctx.output(lateEvents, lateDeadLetter(event, ctx.timerService().currentWatermark()));
            return;
        }
        if (sortKey != null) {
            checkSortKey(ctx.getCurrentKey());
        }
        state.bind(ctx.timerService(), out);
        detector.onEvent(state, event);
    }

    /**
     * A BATCH run sorts the input by the key's digest: two fingerprints with one digest (a SHA-256
     * collision) would have their events interleaved, and each of them would be seen as many short
     * keys. That is never silently allowed; the check runs when the key changes.
     */
    private void checkSortKey(Fingerprint key) {
        Fingerprint previous = lastKey;
        if (previous == key || key.equals(previous)) {
            return;
        }
        byte[] bytes = sortKey.of(key);
        if (previous != null && Arrays.equals(lastKeyBytes, bytes)) {
            throw new IllegalStateException("two different fingerprints share one BATCH sort key (a SHA-256 collision);"
                    + " run this input in STREAMING mode (--flink.execution.runtime-mode STREAMING)");
        }
        lastKey = key;
        lastKeyBytes = bytes;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        state.bind(ctx.timerService(), out);
        detector.onTimer(state, ctx.getCurrentKey(), timestamp, ctx.timerService().currentWatermark());
    }

    private static DeadLetter lateDeadLetter(SecretGet g, long watermark) {
        // The original record is gone by now; the entry carries the rule's view of the event.
        Map<String, String> view = new LinkedHashMap<>();
        view.put("@timestamp", EventTimes.format(g.timestamp));
        view.put("user.name", g.userName);
        view.put("kubernetes.audit.user.username", g.auditUserName);
        view.put("source.ip", g.sourceIp);
        view.put("user_agent.original", g.userAgent);
        view.put("kubernetes.audit.objectRef.name", g.secretName);
        view.put("kubernetes.audit.auditID", g.auditId);
        return DeadLetters.late(g.timestamp, watermark, g.origin, view);
    }

    /** {@link FingerprintState} over this function's Flink state, bound to the current call. */
    private final class FlinkFingerprintState implements FingerprintState {
        private final MapState<String, SecretTrail> names;
        private final MapState<Long, Sighting[]> pending;
        private final ValueState<KeyStatus> status;
        private TimerService timers;
        private Collector<Alert> out;

        FlinkFingerprintState(MapState<String, SecretTrail> names, MapState<Long, Sighting[]> pending,
                ValueState<KeyStatus> status) {
            this.names = names;
            this.pending = pending;
            this.status = status;
        }

        void bind(TimerService timers, Collector<Alert> out) {
            this.timers = timers;
            this.out = out;
        }

        @Override
        public KeyStatus status() throws Exception {
            return status.value();
        }

        @Override
        public void status(KeyStatus s) throws Exception {
            if (s == null) {
                KeyStatus current = status.value();
                if (current != null && current.gaugeEpoch == gaugeEpoch) {
                    activeFingerprints--;
                }
                status.clear();
            } else {
                if (s.gaugeEpoch != gaugeEpoch) {
                    s.gaugeEpoch = gaugeEpoch;
                    activeFingerprints++;
                }
                status.update(s);
            }
        }

        @Override
        public SecretTrail trail(String secretName) throws Exception {
            return names.get(secretName);
        }

        @Override
        public boolean hasTrail(String secretName) throws Exception {
            return names.contains(secretName);
        }

        @Override
        public void putTrail(String secretName, SecretTrail trail) throws Exception {
            names.put(secretName, trail);
        }

        @Override
        public void removeTrail(String secretName) throws Exception {
            names.remove(secretName);
        }

        @Override
        public Iterable<Map.Entry<String, SecretTrail>> trails() throws Exception {
            return names.entries();
        }

        @Override
        public Iterable<String> secretNames() throws Exception {
            return names.keys();
        }

        @Override
        public void clearTrails() {
            names.clear();
        }

        @Override
        public Sighting[] pending(long time) throws Exception {
            return pending.get(time);
        }

        @Override
        public void putPending(long time, Sighting[] sightings) throws Exception {
            pending.put(time, sightings);
        }

        @Override
        public void removePending(long time) throws Exception {
            pending.remove(time);
        }

        @Override
        public Iterable<Long> pendingTimes() throws Exception {
            return pending.keys();
        }

        @Override
        public boolean hasPending() throws Exception {
            return !pending.isEmpty();
        }

        @Override
        public void registerTimer(long time) {
            timers.registerEventTimeTimer(time);
        }

        @Override
        public void deleteTimer(long time) {
            timers.deleteEventTimeTimer(time);
        }

        @Override
        public void emit(Alert alert) {
            if (alert.status == null) {
                alerts.inc();
                alertsTotal.add(1);
            } else if (Alert.PROVISIONAL.equals(alert.status)) {
                provisional.inc();
            } else {
                withdrawn.inc();
            }
            out.collect(alert);
        }
    }
}
