package io.secretrecon.pipeline;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.OutputType;
import io.secretrecon.io.LineSink;

/** {@code stdout}: alerts or dead letters as JSON lines on standard output, for local runs. */
final class StdoutOutput extends LineOutput {

    StdoutOutput() {
        super(OutputType.STDOUT);
    }

    @Override
    LineSink alertSink(JobSettings settings) {
        return LineSink.toStdout();
    }

    @Override
    LineSink deadLetterSink(JobSettings settings) {
        return LineSink.toStdout();
    }
}
