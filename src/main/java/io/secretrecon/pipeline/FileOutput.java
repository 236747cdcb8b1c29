package io.secretrecon.pipeline;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.io.LineSink;

/** {@code file}: alerts to {@code sink.path}, dead letters to {@code dead-letter.path}, as JSON lines. */
final class FileOutput extends LineOutput {

    FileOutput() {
        super(OutputType.FILE);
    }

    @Override
    LineSink alertSink(JobSettings settings) {
        return LineSink.toFile(settings.sinkPath());
    }

    @Override
    LineSink deadLetterSink(JobSettings settings) {
        return LineSink.toFile(settings.deadLetterPath());
    }
}
