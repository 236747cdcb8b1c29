package io.secretrecon.pipeline;

import io.secretrecon.rule.Verdict;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/**
 * The rule filter's counters, shared by both forms of the filter: {@code eventsIn},
 * {@code malformed}, {@code kept}, one {@code dropped-*} counter per verdict, {@code userAgentsDropped}
 * and {@code futureEvents}, plus job-wide
 * accumulators for the end-of-run summary.
 */
final class FilterCounters {

    static final String METRIC_EVENTS_IN = "eventsIn";
    static final String METRIC_MALFORMED = "malformed";
    static final String METRIC_USER_AGENTS_DROPPED = "userAgentsDropped";
    static final String METRIC_FUTURE = "futureEvents";

    private final Counter eventsIn;
    private final Counter malformed;
    private final Map<Verdict, Counter> verdicts = new EnumMap<>(Verdict.class);
    private final LongCounter eventsTotal;
    private final LongCounter malformedTotal;
    private final LongCounter keptTotal;
    private final Counter userAgentsDropped;
    private final Counter future;
    private final LongCounter futureTotal;

    FilterCounters(RuntimeContext context) {
        MetricGroup metrics = context.getMetricGroup();
        eventsIn = metrics.counter(METRIC_EVENTS_IN);
        malformed = metrics.counter(METRIC_MALFORMED);
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, metrics.counter(v.metricName()));
        }
        eventsTotal = accumulator(context, "events-in");
        malformedTotal = accumulator(context, "malformed");
        keptTotal = accumulator(context, "kept");
        userAgentsDropped = metrics.counter(METRIC_USER_AGENTS_DROPPED);
        future = metrics.counter(METRIC_FUTURE);
        futureTotal = accumulator(context, "future");
    }

    private static LongCounter accumulator(RuntimeContext context, String name) {
        LongCounter c = new LongCounter();
        context.addAccumulator(name, c);
        return c;
    }

    void malformed() {
        malformed.inc();
        malformedTotal.add(1);
    }

    /** User agents of one kept event past {@code detector.max-user-agents-per-event}. */
    void userAgentsDropped(int n) {
        userAgentsDropped.inc(n);
    }

    void future() {
        future.inc();
        futureTotal.add(1);
    }

    void eventIn() {
        eventsIn.inc();
        eventsTotal.add(1);
    }

    void verdict(Verdict v) {
        verdicts.get(v).inc();
        if (v == Verdict.KEPT) {
            keptTotal.add(1);
        }
    }
}
