package io.secretrecon.io.elasticsearch;

import io.secretrecon.alert.Alert;
import io.secretrecon.event.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Attaches the Elasticsearch writer ({@link ElasticsearchAlertWriter}) to the alert stream. The
 * returned stream holds the alerts Elasticsearch rejected for good: union it into the job's
 * dead-letter stream.
 *
 * <pre>{@code
 * ElasticsearchIndex.ensureTemplate(es);   // at start-up: a mapping conflict stops the job here
 * DataStream<DeadLetter> rejected = ElasticsearchAlertSink.attach(out.alerts(), es);
 * deadLetters = out.deadLetters().union(rejected);
 * }</pre>
 */
public final class ElasticsearchAlertSink {

    /** The writer's operator uid: never change it (savepoints match operators by uid). */
    public static final String UID = "alerts-elasticsearch-sink";

    private ElasticsearchAlertSink() {}

    public static SingleOutputStreamOperator<DeadLetter> attach(DataStream<Alert> alerts, ElasticsearchSettings settings) {
        return alerts
                .transform("Alerts to Elasticsearch index " + settings.index(), TypeInformation.of(DeadLetter.class),
                        new ElasticsearchAlertWriter.Factory(settings))
                .uid(UID);
    }
}
