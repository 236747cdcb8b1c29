package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.io.elasticsearch.ElasticsearchAlertSink;
import io.secretrecon.io.elasticsearch.ElasticsearchAlertWriter;
import io.secretrecon.io.elasticsearch.ElasticsearchIndex;
import io.secretrecon.io.elasticsearch.ElasticsearchSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;

/**
 * {@code elasticsearch}: alerts indexed by id with the revision as external version, so a replay
 * neither duplicates an alert nor lets an older revision overwrite a newer one
 * ({@link ElasticsearchAlertWriter}). Alerts Elasticsearch refuses for good come back as dead
 * letters. It takes no dead letters.
 */
final class ElasticsearchOutput implements Output {

    @Override
    public void check(StreamExecutionEnvironment env, JobSettings settings) {
        settings(settings);
    }

    /** Installs the index template if it is missing: a mapping conflict stops start-up here. */
    @Override
    public void prepare(JobSettings settings) {
        ElasticsearchSettings es = settings(settings);
        if (!es.installTemplate()) {
            return;
        }
        try {
            ElasticsearchIndex.ensureTemplate(es);
        } catch (IOException e) {
            throw new ConfigException("elasticsearch.hosts: cannot install the index template of " + es.index()
                    + " at start-up: " + e.getMessage());
        }
    }

    @Override
    public DataStream<DeadLetter> attachAlerts(DataStream<Alert> alerts, JobSettings settings) {
        ElasticsearchSettings es = settings(settings);
        return ElasticsearchAlertSink.attach(alerts, es, Operators.alertSinkName("Elasticsearch index " + es.index()))
                .uid(Operators.alertSinkUid(OutputType.ELASTICSEARCH));
    }

    @Override
    public void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobSettings settings) {
        throw new IllegalArgumentException("dead letters cannot go to Elasticsearch"); // refused by JobSettings
    }

    private static ElasticsearchSettings settings(JobSettings settings) {
        return ElasticsearchSettings.from(settings.elasticsearch()::get);
    }
}
