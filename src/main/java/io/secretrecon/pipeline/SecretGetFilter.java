package io.secretrecon.pipeline;

import io.secretrecon.event.ParsedRecord;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.SecretGetRule;
import io.secretrecon.rule.Verdict;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.EnumMap;
import java.util.Map;

/**
 * Routes the source's dead letters to the side output and applies the rule's WHERE clause to
 * every audit event, counting each verdict: {@code eventsIn}, {@code malformed},
 * {@code kept} and one {@code dropped-*} counter per clause.
 */
public class SecretGetFilter extends ProcessFunction<ParsedRecord, SecretGet> {

    private static final long serialVersionUID = 1L;

    public static final String METRIC_EVENTS_IN = "eventsIn";
    public static final String METRIC_MALFORMED = "malformed";
    public static final String METRIC_USER_AGENTS_DROPPED = "userAgentsDropped";

    private final SecretGetRule rule;

    private transient Counter eventsIn;
    private transient Counter malformed;
    private transient Map<Verdict, Counter> verdicts;
    private transient Counter userAgentsDropped;
    /** Job-wide totals for the end-of-run summary (accumulators), next to the per-task metrics. */
    private transient LongCounter eventsTotal;
    private transient LongCounter malformedTotal;
    private transient LongCounter keptTotal;

    public SecretGetFilter(RuleSettings settings) {
        this.rule = new SecretGetRule(settings);
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter(METRIC_EVENTS_IN);
        malformed = metrics.counter(METRIC_MALFORMED);
        userAgentsDropped = metrics.counter(METRIC_USER_AGENTS_DROPPED);
        verdicts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, metrics.counter(v.metricName()));
        }
        eventsTotal = accumulator("events-in");
        malformedTotal = accumulator("malformed");
        keptTotal = accumulator("kept");
    }

    private LongCounter accumulator(String name) {
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(ParsedRecord record, Context ctx, Collector<SecretGet> out) {
        if (record.deadLetter != null) {
            malformed.inc();
            malformedTotal.add(1);
            ctx.output(OutputTags.DEAD_LETTERS, record.deadLetter);
            return;
        }
        eventsIn.inc();
        eventsTotal.add(1);
        Verdict v = rule.evaluate(record.event, out::collect, userAgentsDropped::inc);
        verdicts.get(v).inc();
        if (v == Verdict.KEPT) {
            keptTotal.add(1);
        }
    }
}
