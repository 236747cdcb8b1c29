package io.secretrecon.io.elasticsearch;

import io.secretrecon.alert.Alert;
import io.secretrecon.event.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Attaches the Elasticsearch writer ({@link ElasticsearchAlertWriter}) to the alert stream. The
 * returned stream holds the alerts Elasticsearch rejected for good: union it into the job's
 * dead-letter stream. The caller gives it its uid ({@code pipeline.Operators} holds the job's).
 */
public final class ElasticsearchAlertSink {

    private ElasticsearchAlertSink() {}

    public static SingleOutputStreamOperator<DeadLetter> attach(DataStream<Alert> alerts, ElasticsearchSettings settings,
            String name) {
        return alerts.transform(name, TypeInformation.of(DeadLetter.class), new ElasticsearchAlertWriter.Factory(settings));
    }
}
