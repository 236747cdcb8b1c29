package io.secretrecon.pipeline;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.io.ExceptionFileSource;
import io.secretrecon.io.ExceptionsKafka;
import io.secretrecon.rule.exceptions.ExceptionRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;

/**
 * The control stream of rule exceptions that {@code rule.exceptions-topic} or
 * {@code rule.exceptions-file} chooses, outside event time ({@link OutsideEventTime}). Bounded
 * when the audit input is (so that BATCH applies it before any event), continuous otherwise.
 */
public final class ExceptionSources {

    private ExceptionSources() {}

    /**
     * The control stream, or null when the settings name no exceptions source.
     *
     * @throws ConfigException if a local {@code rule.exceptions-file} does not exist
     */
    public static DataStream<ExceptionRecord> of(StreamExecutionEnvironment env, JobSettings settings) {
        if (!settings.hasExceptions()) {
            return null;
        }
        boolean bounded = settings.boundedInput();
        Source<ExceptionRecord, ?, ?> source;
        String uid;
        String name;
        if (!settings.exceptionsTopic().isEmpty()) {
            source = ExceptionsKafka.source(settings.kafka(), settings.exceptionsTopic(), bounded);
            uid = Operators.EXCEPTIONS_KAFKA_SOURCE_UID;
            name = Operators.exceptionsKafkaSourceName(settings.exceptionsTopic());
        } else {
            Path p = new Path(settings.exceptionsFile());
            boolean local = p.toUri().getScheme() == null || "file".equals(p.toUri().getScheme());
            if (local && !Files.isRegularFile(java.nio.file.Path.of(p.toUri().getPath()))) {
                throw ConfigException.forKey(Settings.RULE_EXCEPTIONS_FILE.key(), p + " is not a file");
            }
            source = new ExceptionFileSource(settings.exceptionsFile(), settings.exceptionsPollInterval(), bounded);
            uid = Operators.EXCEPTIONS_FILE_SOURCE_UID;
            name = Operators.EXCEPTIONS_FILE_SOURCE_NAME;
        }
        TypeInformation<ExceptionRecord> type = TypeInformation.of(ExceptionRecord.class);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), name, type)
                .uid(uid)
                .setParallelism(1)
                .transform(Operators.EXCEPTIONS_OUTSIDE_EVENT_TIME_NAME, type, new OutsideEventTime<>())
                .uid(Operators.EXCEPTIONS_OUTSIDE_EVENT_TIME_UID)
                .setParallelism(1);
    }
}
