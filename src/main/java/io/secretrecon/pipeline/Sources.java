package io.secretrecon.pipeline;

import io.secretrecon.config.ConfigException;
import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.io.AuditFileFormat;
import io.secretrecon.io.KafkaIo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.fs.Path;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The source of audit records that {@code source.type} chooses. */
public final class Sources {

    private Sources() {}

    /**
     * @throws ConfigException if a local {@code source.path} does not exist
     */
    public static Source<ParsedRecord, ?, ?> of(JobSettings settings) {
        if (settings.sourceType() == JobSettings.SourceType.KAFKA) {
            return KafkaIo.source(settings.kafka(), settings.maxRecordBytes());
        }
        List<Path> paths = new ArrayList<>();
        for (String path : settings.sourcePaths()) {
            Path p = new Path(path);
            boolean local = p.toUri().getScheme() == null || "file".equals(p.toUri().getScheme());
            if (local && !Files.exists(java.nio.file.Path.of(p.toUri().getPath()))) {
                throw ConfigException.forKey(Settings.SOURCE_PATH.key(), p + " does not exist");
            }
            paths.add(p);
        }
        return AuditFileFormat.source(paths, settings.maxRecordBytes());
    }
}
