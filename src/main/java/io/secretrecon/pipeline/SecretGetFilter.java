package io.secretrecon.pipeline;

import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetters;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routes the source's dead letters to the side output and applies the rule's WHERE clause to
 * every audit event, counting each verdict: {@code eventsIn}, {@code malformed},
 * {@code kept} and one {@code dropped-*} counter per clause. An event time too far in the future
 * ({@link FutureEvents}) is dead-lettered as {@code future} and counted in {@code futureEvents}.
 */
public class SecretGetFilter extends ProcessFunction<ParsedRecord, SecretGet> {

    private static final long serialVersionUID = 1L;

    public static final String METRIC_EVENTS_IN = "eventsIn";
    public static final String METRIC_MALFORMED = "malformed";
    public static final String METRIC_USER_AGENTS_DROPPED = "userAgentsDropped";
    public static final String METRIC_FUTURE = "futureEvents";

    private final SecretGetRule rule;
    private final FutureEvents futureEvents;

    private transient Counter eventsIn;
    private transient Counter malformed;
    private transient Map<Verdict, Counter> verdicts;
    private transient Counter userAgentsDropped;
    private transient Counter future;
    private transient LongCounter futureTotal;
    /** Job-wide totals for the end-of-run summary (accumulators), next to the per-task metrics. */
    private transient LongCounter eventsTotal;
    private transient LongCounter malformedTotal;
    private transient LongCounter keptTotal;

    public SecretGetFilter(RuleSettings settings) {
        this(settings, FutureEvents.OFF);
    }

    SecretGetFilter(RuleSettings settings, FutureEvents futureEvents) {
        this.rule = new SecretGetRule(settings);
        this.futureEvents = futureEvents;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter(METRIC_EVENTS_IN);
        malformed = metrics.counter(METRIC_MALFORMED);
        userAgentsDropped = metrics.counter(METRIC_USER_AGENTS_DROPPED);
        future = metrics.counter(METRIC_FUTURE);
        verdicts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, metrics.counter(v.metricName()));
        }
        eventsTotal = accumulator("events-in");
        malformedTotal = accumulator("malformed");
        keptTotal = accumulator("kept");
        futureTotal = accumulator("future");
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
        long limit = futureEvents.limit();
        if (futureEvents.isFuture(record.event.timestamp, limit)) {
            future.inc();
            futureTotal.add(1);
            ctx.output(OutputTags.DEAD_LETTERS, futureDeadLetter(record.event, limit));
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

    /** The original record is gone by now; the entry carries the parser's view of the event. */
    private static DeadLetter futureDeadLetter(AuditEvent e, long limit) {
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
}
