package io.secretrecon.pipeline;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Takes the control stream out of event time: passes its records on, drops every watermark and
 * watermark status from upstream, and announces itself idle from the start.
 *
 * <p>Why idle, and not a {@code MAX} watermark: a two-input operator's watermark is the minimum
 * over its <em>active</em> inputs. An idle control input is left out, so the filter's watermark is
 * the audit events' own, and the filter is idle exactly when they are. A control input at
 * {@code MAX} would be the only active input whenever every audit partition is idle (a quiet
 * night, or a bounded control source that finished and sent its final {@code MAX}): the filter
 * would pass {@code MAX} on, every episode would close, and every later event would be late.
 * Records from an idle input are processed as usual; idleness only concerns watermarks.
 */
final class OutsideEventTime<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    @Override
    public void open() throws Exception {
        super.open();
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        // not part of event time
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // stays idle
    }
}
