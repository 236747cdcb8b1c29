package io.secretrecon.io;

import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class AuditFileFilterTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void everyFileIsReadButHiddenOnesInsideDirectoriesAndGivenPathsAlways() throws Exception {
        java.nio.file.Path logs = Files.createDirectories(dir.resolve("_logs"));
        Files.writeString(logs.resolve("_apiserver-0.log"), "{}\n");
        Files.writeString(Files.createDirectories(logs.resolve("node-b")).resolve("audit.log.gz"), "{}\n");
        Files.writeString(logs.resolve(".audit.log.swp"), "{}\n");
        java.nio.file.Path hiddenButGiven = Files.writeString(dir.resolve(".given.log"), "{}\n");

        List<Path> roots = List.of(new Path(logs.toString()), new Path(hiddenButGiven.toString()));
        Collection<FileSourceSplit> splits = new NonSplittingRecursiveEnumerator(new AuditFileFilter(Set.copyOf(roots)))
                .enumerateSplits(roots.toArray(new Path[0]), 1);

        assertThat(splits.stream().map(s -> s.path().getName()).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("_apiserver-0.log", "audit.log.gz", ".given.log");
    }
}
