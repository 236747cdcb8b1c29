package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/** The real {@link SecretBurstDetector} in Flink's keyed operator test harness, driven by hand. */
final class DetectorHarness implements AutoCloseable {

    static final long CREATED = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
    /** The late-event side output, as the topology would pass it. */
    static final OutputTag<DeadLetter> LATE = new OutputTag<>("late-events", TypeInformation.of(DeadLetter.class));

    private final KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> harness;

    DetectorHarness(DetectorSettings settings) throws Exception {
        this(settings, InputOrder.WATERMARKED);
    }

    /** With {@link InputOrder#SORTED_PER_KEY}, send each key's events by time and no watermark but the last. */
    DetectorHarness(DetectorSettings settings, InputOrder order) throws Exception {
        this(new SecretBurstDetector(Detector.create(settings, order, () -> CREATED), LATE));
    }

    /** A BATCH detector told that its input is sorted by {@code sortKey}. */
    DetectorHarness(DetectorSettings settings, SecretBurstDetector.SortKey sortKey) throws Exception {
        this(new SecretBurstDetector(Detector.create(settings, InputOrder.SORTED_PER_KEY, () -> CREATED), LATE, sortKey));
    }

    private DetectorHarness(SecretBurstDetector function) throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                function, SecretGet::fingerprint, TypeInformation.of(Fingerprint.class));
    }

    DetectorHarness send(SecretGet... events) throws Exception {
        for (SecretGet e : events) {
            harness.processElement(new StreamRecord<>(e, e.timestamp));
        }
        return this;
    }

    DetectorHarness watermark(Instant t) throws Exception {
        harness.processWatermark(t.toEpochMilli());
        return this;
    }

    /** The end of a bounded input. */
    DetectorHarness endOfInput() throws Exception {
        harness.processWatermark(Long.MAX_VALUE);
        return this;
    }

    List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    List<DeadLetter> deadLetters() {
        List<DeadLetter> out = new ArrayList<>();
        Queue<StreamRecord<DeadLetter>> q = harness.getSideOutput(LATE);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    int timers() {
        return harness.numEventTimeTimers();
    }

    int stateEntries() {
        return harness.numKeyedStateEntries();
    }

    /** Bytes of the operator's keyed state (state and timers) as a checkpoint writes it. */
    long snapshotBytes() throws Exception {
        return harness.snapshot(1L, 1L).getManagedKeyedState().getStateSize();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
