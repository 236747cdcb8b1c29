package io.secretrecon.pipeline;

import io.secretrecon.config.JobSettings;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One record from the future neither moves the watermark nor reaches the detector. */
class FutureEventsTest {

    private static final Duration SKEW = Duration.ofMinutes(15);
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(30);
    private static final long YEAR_9999 = 253_370_764_800_000L;

    @Test
    void aFarFutureEventDoesNotMoveTheWatermark() {
        long now = System.currentTimeMillis();
        assertThat(watermarkAfter(FutureEvents.beyond(SKEW), now - 60_000, YEAR_9999, now - 50_000))
                .isEqualTo(now - 50_000 - OUT_OF_ORDERNESS.toMillis() - 1);
        long nanosecondEpoch = now * 1_000_000;
        assertThat(watermarkAfter(FutureEvents.beyond(SKEW), now - 60_000, nanosecondEpoch))
                .isEqualTo(now - 60_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void withinTheSkewAnEventMovesTheWatermarkAsAlways() {
        long soon = System.currentTimeMillis() + SKEW.toMillis() / 2;
        assertThat(watermarkAfter(FutureEvents.beyond(SKEW), soon)).isEqualTo(soon - OUT_OF_ORDERNESS.toMillis() - 1);
        assertThat(watermarkAfter(FutureEvents.OFF, YEAR_9999)).isEqualTo(YEAR_9999 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void theFilterDeadLettersAFutureEventAsFuture() throws Exception {
        SecretGetFilter filter = new SecretGetFilter(JobSettings.defaultRule(), null, FutureEvents.beyond(SKEW));
        try (OneInputStreamOperatorTestHarness<ParsedRecord, SecretGet> h =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(filter))) {
            h.open();
            long now = System.currentTimeMillis();
            h.processElement(new StreamRecord<>(ParsedRecord.of(secretGet(YEAR_9999, "db-password"))));
            h.processElement(new StreamRecord<>(ParsedRecord.of(secretGet(now, "api-token"))));

            assertThat(h.extractOutputValues()).extracting(g -> g.secretName).containsExactly("api-token");
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(OutputTags.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.reason).isEqualTo("future");
                assertThat(d.detail).contains("watermark.max-future-skew");
                assertThat(d.record).contains("db-password").contains("\"user.name\"");
                assertThat(d.origin).isEqualTo(RecordOrigin.kafka("audit", 0, 7));
            });
        }
    }

    private static long watermarkAfter(FutureEvents guard, long... eventTimes) {
        FutureEvents.Guarded g = new FutureEvents.Guarded(guard, OUT_OF_ORDERNESS);
        long[] last = {Long.MIN_VALUE};
        WatermarkOutput out = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                last[0] = watermark.getTimestamp();
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
        };
        for (long t : eventTimes) {
            g.onEvent(ParsedRecord.of(secretGet(t, "x")), t, out);
        }
        g.onPeriodicEmit(out);
        return last[0];
    }

    private static AuditEvent secretGet(long time, String name) {
        AuditEvent e = new AuditEvent();
        e.timestamp = time;
        e.dataset = new String[] {"kubernetes.audit_logs"};
        e.action = new String[] {"get"};
        e.resource = new String[] {"secrets"};
        e.secretName = new String[] {name};
        e.userName = new String[] {"mallory"};
        e.auditUserName = new String[] {"mallory"};
        e.sourceIp = new String[] {"10.0.0.9"};
        e.auditId = "id-" + name;
        e.origin = RecordOrigin.kafka("audit", 0, 7);
        return e;
    }
}
