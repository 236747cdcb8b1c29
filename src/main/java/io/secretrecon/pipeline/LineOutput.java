package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.io.DeadLetterJson;
import io.secretrecon.io.LineSink;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Standard output and local files: one JSON document per line, written by one writer
 * ({@link LineSink}, parallelism 1).
 */
abstract class LineOutput implements Output {

    private final OutputType type;

    LineOutput(OutputType type) {
        this.type = type;
    }

    abstract LineSink alertSink(JobSettings settings);

    abstract LineSink deadLetterSink(JobSettings settings);

    @Override
    public DataStream<DeadLetter> attachAlerts(DataStream<Alert> alerts, JobSettings settings) {
        LineSink sink = alertSink(settings);
        alerts.map(AlertJson::toJson, Types.STRING)
                .uid(Operators.alertJsonUid(type)).name(Operators.alertJsonName(type))
                .sinkTo(sink).uid(Operators.alertSinkUid(type)).name(Operators.alertSinkName(sink.describe()))
                .setParallelism(1);
        return null;
    }

    @Override
    public void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobSettings settings) {
        LineSink sink = deadLetterSink(settings);
        deadLetters.map(DeadLetterJson::toJson, Types.STRING)
                .uid(Operators.DEAD_LETTER_JSON_UID).name(Operators.DEAD_LETTER_JSON_NAME)
                .sinkTo(sink).uid(Operators.deadLetterSinkUid(type)).name(Operators.deadLetterSinkName(sink.describe()))
                .setParallelism(1);
    }
}
