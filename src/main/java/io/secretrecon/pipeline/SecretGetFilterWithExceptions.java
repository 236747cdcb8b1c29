package io.secretrecon.pipeline;

import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.rule.QuietProfile;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.SecretGetRule;
import io.secretrecon.rule.Verdict;
import io.secretrecon.rule.exceptions.CompiledException;
import io.secretrecon.rule.exceptions.ExceptionChanges;
import io.secretrecon.rule.exceptions.ExceptionEntry;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import io.secretrecon.rule.exceptions.ExceptionSet;
import io.secretrecon.rule.exceptions.ExceptionSubject;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The rule filter of a job with live rule exceptions: {@link SecretGetFilter}'s WHERE clause, then
 * the exceptions in force, which arrive on the broadcast control stream and are kept in broadcast
 * state {@value #STATE_NAME} (so in checkpoints and savepoints; a restored job has the exceptions
 * it had, before it reads any event).
 *
 * <p>An exception drops a kept event at time t when its effective time &lt;= t &lt; its expiry
 * ({@link CompiledException}). It acts on the events the filter handles after the exception
 * reached it: an event already counted stays counted (the detector's window keeps it until it
 * slides out), and a removal brings back the events handled after it.
 *
 * <p>Every subtask gets every control record and applies it the same way, so the broadcast state
 * is identical everywhere; only subtask 0 dead-letters a refused record, so each appears once. Metrics besides {@link SecretGetFilter}'s: {@code dropped-exception}, a gauge
 * {@code exceptions} (entries in state, also expired ones and ones not yet effective), and per
 * exception id a counter {@code exception.<id>.hits} (the metric group {@code exception} with the
 * id as its value). Metric groups cannot be removed, so one subtask creates at most
 * {@value #MAX_METRIC_GROUPS} of them; the hits of further ids count under {@value #OTHER_GROUP}.
 */
public class SecretGetFilterWithExceptions extends BroadcastProcessFunction<ParsedRecord, ExceptionRecord, SecretGet>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "rule-exceptions-v1";
    public static final MapStateDescriptor<String, ExceptionEntry> EXCEPTIONS =
            new MapStateDescriptor<>(STATE_NAME, Types.STRING, TypeInformation.of(ExceptionEntry.class));

    public static final String METRIC_EXCEPTIONS = "exceptions";
    public static final String METRIC_GROUP = "exception";
    public static final String METRIC_HITS = "hits";
    public static final int MAX_METRIC_GROUPS = 100;
    public static final String OTHER_GROUP = "_other";

    private final SecretGetRule rule;
    private final FutureEvents futureEvents;
    private final int maxExceptions;

    private transient FilterCounters counters;
    private transient ExceptionSet exceptions;
    private transient volatile int entries;
    private transient Map<String, Counter> hits;
    private transient Counter otherHits;
    private transient List<SecretGet> rows;
    private transient ExceptionSubject subject;
    private transient Consumer<CompiledException> countHit;
    private transient boolean reporter;

    /**
     * @param quiet the {@code quiet} profile's clause, or null for the seed rule
     * @param maxExceptions the most exceptions in force at once ({@code rule.exceptions-max})
     */
    public SecretGetFilterWithExceptions(RuleSettings settings, QuietProfile quiet, int maxExceptions) {
        this(settings, quiet, maxExceptions, FutureEvents.OFF);
    }

    SecretGetFilterWithExceptions(RuleSettings settings, QuietProfile quiet, int maxExceptions, FutureEvents futureEvents) {
        this.rule = new SecretGetRule(settings, quiet);
        this.futureEvents = futureEvents;
        this.maxExceptions = maxExceptions;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        exceptions = compile(context.getOperatorStateStore().getBroadcastState(EXCEPTIONS).immutableEntries());
        entries = exceptions.size();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // the broadcast state is the whole state, and Flink snapshots it
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new FilterCounters(getRuntimeContext());
        reporter = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        getRuntimeContext().getMetricGroup().gauge(METRIC_EXCEPTIONS, () -> entries);
        hits = new HashMap<>();
        rows = new ArrayList<>(2);
        subject = new ExceptionSubject();
        countHit = e -> hitCounter(e.id()).inc();
        if (exceptions == null) {
            exceptions = ExceptionSet.EMPTY;
        }
        registerHitCounters();
    }

    @Override
    public void processElement(ParsedRecord record, ReadOnlyContext ctx, Collector<SecretGet> out) {
        if (record.deadLetter != null) {
            counters.malformed();
            ctx.output(OutputTags.DEAD_LETTERS, record.deadLetter);
            return;
        }
        DeadLetter future = futureEvents.check(record.event);
        if (future != null) {
            counters.future();
            ctx.output(OutputTags.DEAD_LETTERS, future);
            return;
        }
        counters.eventIn();
        if (exceptions.isEmpty()) {
            counters.verdict(rule.evaluate(record.event, out::collect, counters::userAgentsDropped));
            return;
        }
        rows.clear();
        Verdict v = rule.evaluate(record.event, rows::add, counters::userAgentsDropped);
        if (v == Verdict.KEPT && exceptions.drops(subject.reset(rows), countHit)) {
            v = Verdict.EXCEPTION;
        }
        if (v == Verdict.KEPT) {
            for (SecretGet g : rows) {
                out.collect(g);
            }
        }
        rows.clear();
        counters.verdict(v);
    }

    @Override
    public void processBroadcastElement(ExceptionRecord record, Context ctx, Collector<SecretGet> out) throws Exception {
        BroadcastState<String, ExceptionEntry> state = ctx.getBroadcastState(EXCEPTIONS);
        Map<String, ExceptionEntry> current = new HashMap<>();
        for (Map.Entry<String, ExceptionEntry> e : state.entries()) {
            current.put(e.getKey(), e.getValue());
        }
        ExceptionChanges changes = ExceptionChanges.apply(record, current, maxExceptions);
        for (String id : changes.removals) {
            state.remove(id);
        }
        for (Map.Entry<String, ExceptionEntry> e : changes.puts.entrySet()) {
            state.put(e.getKey(), e.getValue());
        }
        if (reporter) {
            for (DeadLetter d : changes.deadLetters) {
                ctx.output(OutputTags.DEAD_LETTERS, d);
            }
        }
        if (changes.changesSomething()) {
            exceptions = compile(state.immutableEntries());
            entries = exceptions.size();
            registerHitCounters();
        }
    }

    private static ExceptionSet compile(Iterable<Map.Entry<String, ExceptionEntry>> state) {
        List<ExceptionEntry> out = new ArrayList<>();
        for (Map.Entry<String, ExceptionEntry> e : state) {
            out.add(e.getValue());
        }
        return ExceptionSet.of(out);
    }

    /** Every exception in force has its counter from the start, so an unused one shows 0 hits. */
    private void registerHitCounters() {
        for (CompiledException e : exceptions.exceptions()) {
            hitCounter(e.id());
        }
    }

    private Counter hitCounter(String id) {
        Counter c = hits.get(id);
        if (c != null) {
            return c;
        }
        MetricGroup group = getRuntimeContext().getMetricGroup();
        if (hits.size() < MAX_METRIC_GROUPS) {
            c = group.addGroup(METRIC_GROUP, id).counter(METRIC_HITS);
        } else {
            if (otherHits == null) {
                otherHits = group.addGroup(METRIC_GROUP, OTHER_GROUP).counter(METRIC_HITS);
            }
            return otherHits;
        }
        hits.put(id, c);
        return c;
    }
}
