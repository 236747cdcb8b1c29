package io.secretrecon.pipeline;

import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.ParsedRecord;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guard against event times from the future ({@code watermark.max-future-skew}). One record
 * stamped in year 9999 (or in nanoseconds, or by a producer with a wrong clock) would otherwise
 * drag the watermark there, and every real event after it would be late: the job blinded by one
 * record. An event time beyond the wall clock plus the skew therefore never moves the watermark
 * ({@link #watermarks}), and the rule filter dead-letters the event as {@code future}.
 *
 * <p>Both checks read the wall clock, the filter's a moment after the source's: an event the
 * source let move the watermark is never dead-lettered by the filter. (The converse, an event
 * just at the limit that the filter keeps although it did not move the watermark, is harmless.)
 * A BATCH run has no watermark to protect and sorts every key's events by time, so there the
 * guard is off ({@link #OFF}).
 */
final class FutureEvents implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No guard. */
    static final FutureEvents OFF = new FutureEvents(-1);

    private final long maxSkewMillis;

    private FutureEvents(long maxSkewMillis) {
        this.maxSkewMillis = maxSkewMillis;
    }

    static FutureEvents beyond(Duration maxSkew) {
        return new FutureEvents(maxSkew.toMillis());
    }

    /** The latest event time accepted now, or {@code Long.MAX_VALUE} without a guard. */
    long limit() {
        return maxSkewMillis < 0 ? Long.MAX_VALUE : saturatedAdd(System.currentTimeMillis(), maxSkewMillis);
    }

    boolean isFuture(long eventTime, long limit) {
        return eventTime > limit;
    }

    /** The {@code future} dead letter of an event beyond the limit, or null for an event in time. */
    DeadLetter check(AuditEvent e) {
        long limit = limit();
        if (!isFuture(e.timestamp, limit)) {
            return null;
        }
        // The original record is gone by now; the entry carries the parser's view of the event.
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("event.dataset", e.dataset);
        view.put("event.action", e.action);
        view.put("user.name", e.userName);
        view.put("kubernetes.audit.user.username", e.auditUserName);
        view.put("source.ip", e.sourceIp);
        view.put("user_agent.original", e.userAgent);
        view.put("kubernetes.audit.objectRef.resource", e.resource);
        view.put("kubernetes.audit.objectRef.name", e.secretName);
        view.put("kubernetes.audit.objectRef.namespace", e.namespace);
        view.put("kubernetes.audit.auditID", e.auditId);
        return DeadLetters.future(e.timestamp, limit, e.origin, view);
    }

    /**
     * Bounded out-of-orderness with idleness, from every well-formed record's time, except those
     * the guard refuses. Records without an event time (dead letters) never move it either.
     */
    WatermarkStrategy<ParsedRecord> watermarks(Duration outOfOrderness, Duration idleness) {
        FutureEvents guard = this;
        WatermarkStrategy<ParsedRecord> strategy = context -> new Guarded(guard, outOfOrderness);
        return strategy.withIdleness(idleness).withTimestampAssigner((record, previous) -> record.eventTime());
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    static final class Guarded implements WatermarkGenerator<ParsedRecord> {
        private final FutureEvents guard;
        private final BoundedOutOfOrdernessWatermarks<ParsedRecord> delegate;

        Guarded(FutureEvents guard, Duration outOfOrderness) {
            this.guard = guard;
            this.delegate = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        }

        @Override
        public void onEvent(ParsedRecord record, long eventTimestamp, WatermarkOutput output) {
            if (record.event == null || guard.isFuture(eventTimestamp, guard.limit())) {
                return;
            }
            delegate.onEvent(record, eventTimestamp, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            delegate.onPeriodicEmit(output);
        }
    }
}
