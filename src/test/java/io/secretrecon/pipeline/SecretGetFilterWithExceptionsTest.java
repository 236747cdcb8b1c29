package io.secretrecon.pipeline;

import io.secretrecon.config.JobSettings;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter with exceptions in Flink's operator harness: exceptions from the control input act on
 * the events after them, survive a snapshot and restore, are dead-lettered once (by subtask 0) when
 * malformed, and the control input, taken out of event time, never moves the filter's watermark.
 */
class SecretGetFilterWithExceptionsTest {

    private static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    private static final String VELERO = "system:serviceaccount:velero:velero";

    @Test
    void anExceptionDropsTheEventsItCoversFromItsEffectiveTime() throws Exception {
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h = harness(0)) {
            h.processBroadcastElement(control("velero", user(VELERO), at(10)), 0);
            h.processElement(read(VELERO, "a", at(9)), 0);
            h.processElement(read(VELERO, "b", at(10)), 0);
            h.processElement(read("mallory", "c", at(10)), 0);

            assertThat(names(h)).containsExactly("a", "c");
            assertThat(h.getBroadcastState(SecretGetFilterWithExceptions.EXCEPTIONS).contains("velero")).isTrue();

            h.processBroadcastElement(ExceptionRecord.kafka("velero", null, at(20), origin(2)), 0);
            h.processElement(read(VELERO, "d", at(11)), 0);

            assertThat(names(h)).as("the tombstone brings its events back").containsExactly("a", "c", "d");
        }
    }

    @Test
    void theExceptionsInForceSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h = harness(0)) {
            h.processBroadcastElement(control("velero", user(VELERO), at(0)), 0);
            snapshot = h.snapshot(1, 1);
        }
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> restored = harness(0, snapshot)) {
            restored.processElement(read(VELERO, "a", at(5)), 0);
            restored.processElement(read("mallory", "b", at(5)), 0);

            assertThat(names(restored)).containsExactly("b");
        }
    }

    @Test
    void aMalformedEntryIsDeadLetteredOnceAndChangesNothing() throws Exception {
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> first = harness(0);
                BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> second = harness(1)) {
            for (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h : List.of(first, second)) {
                h.processBroadcastElement(control("velero", user(VELERO), at(0)), 0);
                h.processBroadcastElement(control("velero", user(VELERO).replace("\"is\"", "\"equals\""), at(1)), 0);
                h.processElement(read(VELERO, "a", at(5)), 0);
                assertThat(names(h)).as("the valid entry stays in force").isEmpty();
            }

            assertThat(deadLetters(first)).singleElement().satisfies(d -> {
                assertThat(d.reason).isEqualTo("malformed-exception");
                assertThat(d.detail).startsWith("unknown operator 'equals'");
                assertThat(d.origin).isEqualTo(origin(7));
            });
            assertThat(deadLetters(second)).as("one dead letter for all subtasks").isEmpty();
        }
    }

    @Test
    void anIdleControlInputLeavesTheWatermarkToTheEventsAndAnIdleFilterStaysIdle() throws Exception {
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h = harness(0)) {
            CoBroadcastWithNonKeyedOperator<ParsedRecord, ExceptionRecord, SecretGet> op =
                    (CoBroadcastWithNonKeyedOperator<ParsedRecord, ExceptionRecord, SecretGet>) h.getTwoInputOperator();
            op.processWatermarkStatus2(WatermarkStatus.IDLE);
            h.processWatermark(at(5));
            h.processBroadcastElement(control("velero", user(VELERO), at(0)), 0);
            h.processWatermark(at(6));
            op.processWatermarkStatus1(WatermarkStatus.IDLE);
            op.processWatermarkStatus1(WatermarkStatus.ACTIVE);
            h.processWatermark(at(7));

            assertThat(watermarks(h)).containsExactly(at(5), at(6), at(7));
            assertThat(h.getOutput()).contains(WatermarkStatus.IDLE);
        }
    }

    @Test
    void aControlInputAtMaxWouldReleaseMaxWhenTheEventsAreIdle() throws Exception {
        // Why the control stream is idle rather than at MAX: this is what MAX would do.
        try (BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h = harness(0)) {
            CoBroadcastWithNonKeyedOperator<ParsedRecord, ExceptionRecord, SecretGet> op =
                    (CoBroadcastWithNonKeyedOperator<ParsedRecord, ExceptionRecord, SecretGet>) h.getTwoInputOperator();
            h.processBroadcastWatermark(Long.MAX_VALUE);
            h.processWatermark(at(5));
            op.processWatermarkStatus1(WatermarkStatus.IDLE);

            assertThat(watermarks(h)).containsExactly(at(5), Long.MAX_VALUE);
        }
    }

    @Test
    void theControlStreamIsTakenOutOfEventTime() throws Exception {
        try (OneInputStreamOperatorTestHarness<ExceptionRecord, ExceptionRecord> h =
                new OneInputStreamOperatorTestHarness<>(new OutsideEventTime<>())) {
            h.open();
            ExceptionRecord r = ExceptionRecord.kafka("x", null, at(1), origin(1));
            h.processElement(r, at(1));
            h.processWatermark(new Watermark(at(2)));
            h.processWatermark(Watermark.MAX_WATERMARK);
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);

            assertThat(new ArrayList<>(h.getOutput())).hasSize(2).first().isEqualTo(WatermarkStatus.IDLE);
            assertThat(h.extractOutputValues()).singleElement().satisfies(out -> assertThat(out.key).isEqualTo("x"));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> harness(int subtask) throws Exception {
        return harness(subtask, null);
    }

    private static BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> harness(int subtask,
            OperatorSubtaskState restore) throws Exception {
        SecretGetFilterWithExceptions fn = new SecretGetFilterWithExceptions(JobSettings.defaultRule(), null, 1000);
        BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(fn, List.of(SecretGetFilterWithExceptions.EXCEPTIONS)), 2, 2, subtask);
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static List<String> names(BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h) {
        List<String> out = new ArrayList<>();
        h.extractOutputValues().forEach(g -> out.add(g.secretName));
        return out;
    }

    private static List<DeadLetter> deadLetters(BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h) {
        List<DeadLetter> out = new ArrayList<>();
        var side = h.getSideOutput(OutputTags.DEAD_LETTERS);
        if (side != null) {
            for (StreamRecord<DeadLetter> r : side) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    private static List<Long> watermarks(BroadcastOperatorTestHarness<ParsedRecord, ExceptionRecord, SecretGet> h) {
        List<Long> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark) {
                out.add(((Watermark) o).getTimestamp());
            }
        }
        return out;
    }

    private static long at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes)).toEpochMilli();
    }

    private static RecordOrigin origin(long offset) {
        return RecordOrigin.kafka("rule-exceptions", 0, offset);
    }

    private static String user(String name) {
        return "{\"id\":\"velero\",\"field\":\"user.name\",\"operator\":\"is\",\"values\":[\"" + name + "\"],"
                + "\"author\":\"jane\",\"comment\":\"backups\"}";
    }

    private static ExceptionRecord control(String key, String json, long time) {
        return ExceptionRecord.kafka(key, json, time, origin(7));
    }

    private static ParsedRecord read(String user, String secret, long time) {
        AuditEvent e = new AuditEvent();
        e.dataset = new String[] {"kubernetes.audit_logs"};
        e.action = new String[] {"get"};
        e.resource = new String[] {"secrets"};
        e.secretName = new String[] {secret};
        e.namespace = new String[] {"default"};
        e.userName = new String[] {user};
        e.auditUserName = new String[] {user};
        e.sourceIp = new String[] {"10.0.4.20"};
        e.userAgent = new String[] {"velero/v1.14"};
        e.decision = new String[] {"allow"};
        e.auditId = "audit-" + secret;
        e.timestamp = time;
        e.origin = RecordOrigin.fileLine("audit.log", 1);
        return ParsedRecord.of(e);
    }

}
