package io.secretrecon.pipeline;

import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.rule.QuietProfile;
import io.secretrecon.rule.RuleSettings;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.SecretGetRule;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Routes the source's dead letters to the side output and applies the rule's WHERE clause to
 * every audit event, counting each verdict: {@code eventsIn}, {@code malformed},
 * {@code kept} and one {@code dropped-*} counter per clause. The filter of a job without rule
 * exceptions; with them it is {@link SecretGetFilterWithExceptions}, under the same uid.
 */
public class SecretGetFilter extends ProcessFunction<ParsedRecord, SecretGet> {

    private static final long serialVersionUID = 1L;

    public static final String METRIC_EVENTS_IN = FilterCounters.METRIC_EVENTS_IN;
    public static final String METRIC_MALFORMED = FilterCounters.METRIC_MALFORMED;

    private final SecretGetRule rule;
    private final FutureEvents futureEvents;

    private transient FilterCounters counters;

    public SecretGetFilter(RuleSettings settings) {
        this(settings, null, FutureEvents.OFF);
    }

    /** @param quiet the {@code quiet} profile's clause, or null for the seed rule */
    public SecretGetFilter(RuleSettings settings, QuietProfile quiet) {
        this(settings, quiet, FutureEvents.OFF);
    }

    /** @param futureEvents the guard against event times from the future ({@link FutureEvents}) */
    SecretGetFilter(RuleSettings settings, QuietProfile quiet, FutureEvents futureEvents) {
        this.rule = new SecretGetRule(settings, quiet);
        this.futureEvents = futureEvents;
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new FilterCounters(getRuntimeContext());
    }

    @Override
    public void processElement(ParsedRecord record, Context ctx, Collector<SecretGet> out) {
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
        counters.verdict(rule.evaluate(record.event, out::collect, counters::userAgentsDropped));
    }
}
