package io.secretrecon.io;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The file sink across a failover: restored from a checkpoint, the file holds each line once. */
class LineSinkTest {

    @TempDir
    Path dir;

    @Test
    void aRestoredWriterCutsTheFileBackToItsCheckpointAndGoesOn() throws Exception {
        Path file = dir.resolve("out/alerts.ndjson");
        LineSink sink = LineSink.toFile(file.toString());

        StatefulSinkWriter<String, Long> first = sink.createWriter(null);
        first.write("a", null);
        first.write("b", null);
        List<Long> checkpoint = roundTrip(sink.getWriterStateSerializer(), first.snapshotState(1));
        first.write("c-after-the-checkpoint", null);
        first.flush(false); // on disk, but not covered by any checkpoint: the failure comes now
        assertThat(lines(file)).containsExactly("a", "b", "c-after-the-checkpoint");

        StatefulSinkWriter<String, Long> second = sink.restoreWriter(null, checkpoint);
        second.write("c-after-the-checkpoint", null); // replayed from the source
        second.write("d", null);
        second.close();
        first.close();

        assertThat(lines(file)).containsExactly("a", "b", "c-after-the-checkpoint", "d");
    }

    @Test
    void aFreshRunStartsTheFileAfreshAndARestoreWithoutStateKeepsIt() throws Exception {
        Path file = dir.resolve("alerts.ndjson");
        Files.writeString(file, "old\n");
        LineSink sink = LineSink.toFile(file.toString());

        StatefulSinkWriter<String, Long> fresh = sink.createWriter(null);
        fresh.write("new", null);
        fresh.close();
        assertThat(lines(file)).containsExactly("new");

        StatefulSinkWriter<String, Long> restored = sink.restoreWriter(null, List.of());
        restored.write("more", null);
        restored.close();
        assertThat(lines(file)).containsExactly("new", "more");
    }

    @Test
    void theCheckpointedLengthCountsBytesNotCharacters() throws Exception {
        Path file = dir.resolve("alerts.ndjson");
        LineSink sink = LineSink.toFile(file.toString());
        StatefulSinkWriter<String, Long> w = sink.createWriter(null);
        w.write("Grüße ✓", null);

        assertThat(w.snapshotState(7)).containsExactly(Files.size(file));
        w.close();
    }

    private static List<Long> roundTrip(SimpleVersionedSerializer<Long> serializer, List<Long> state) throws IOException {
        assertThat(state).hasSize(1);
        return List.of(serializer.deserialize(serializer.getVersion(), serializer.serialize(state.get(0))));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
