package io.secretrecon.detect;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detector is plain logic plus one Flink function: it depends on the model packages and on
 * Flink's core API, never on the topology ({@code pipeline}), the I/O ({@code io}) or a
 * connector. The topology hands it what it needs, such as the late-event side output.
 */
class DetectPackageDependenciesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "secretrecon", "detect");

    @Test
    void detectImportsNothingFromThePipelineTheIoOrAConnector() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            assertThat(Files.readAllLines(f))
                    .as(f.toString())
                    .noneMatch(line -> line.matches("\\s*import\\s+(static\\s+)?io\\.secretrecon\\.(pipeline|io)\\..*"))
                    .noneMatch(line -> line.matches("\\s*import\\s+(static\\s+)?org\\.apache\\.flink\\.connector\\..*"))
                    .noneMatch(line -> line.matches(".*\\bio\\.secretrecon\\.(pipeline|io)\\.[A-Z].*"));
        }
    }
}
