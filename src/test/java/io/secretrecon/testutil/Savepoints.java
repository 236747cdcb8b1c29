package io.secretrecon.testutil;

import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.runtime.operators.sink.committables.CheckpointCommittableManager;
import org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollector;
import org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollectorSerializer;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A savepoint directory read the way Flink restores it: its operator states, the operator id a
 * uid gives, and what an operator's list state holds.
 *
 * <p>Built on Flink's runtime classes ({@link Checkpoints}, {@link StreamGraphHasherV2}, the sink
 * operators' state names and serializers), which are internal: a Flink upgrade that changes them
 * fails the tests that use this class, which is when they must be looked at anyway.
 */
public final class Savepoints {

    /** The list state of a sink's writer operator ({@code SinkWriterOperator}'s name for it). */
    public static final String WRITER_STATE = "writer_raw_states";
    /** The list state of a sink's committer operator ({@code CommitterOperator}'s name for it). */
    public static final String COMMITTER_STATE = "streaming_committer_raw_states";

    private static final SinkCommitterMetricGroup NO_METRICS =
            InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());

    private Savepoints() {}

    /** The savepoint's {@code _metadata}, with file state (if any) resolved against {@code dir}. */
    public static CheckpointMetadata load(Path dir) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve("_metadata")))) {
            return Checkpoints.loadCheckpointMetadata(in, Savepoints.class.getClassLoader(), dir.toString());
        }
    }

    /**
     * The operator id Flink gives the operator with this uid ({@code StreamGraphHasherV2}, the
     * hasher of every job graph): the key under which a savepoint keeps that operator's state.
     */
    public static OperatorID operatorId(String uid) {
        return new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid));
    }

    /**
     * The uid Flink derives for the committer of a two-phase sink whose writer has {@code writerUid}
     * ({@code SinkTransformationTranslator}): the uid that finds the committables on restore.
     */
    public static String committerUid(String writerUid) {
        return "Sink Committer: " + writerUid;
    }

    /**
     * Whether a restore has anything to give this operator: a coordinator's state (a source's
     * enumerator) or a subtask's. Flink skips operators without either when it matches a savepoint
     * to a job graph ({@code Checkpoints#loadAndValidateCheckpoint}), so only these need an
     * operator of the same id.
     */
    public static boolean hasState(OperatorState operator) {
        return operator.getCoordinatorState() != null || operator.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
    }

    /** The elements of one operator list state of each subtask (subtask index to elements), decoded. */
    public static <T> Map<Integer, List<T>> listState(OperatorState operator, String stateName,
            SimpleVersionedSerializer<T> serializer) throws IOException {
        Map<Integer, List<T>> out = new TreeMap<>();
        for (Map.Entry<Integer, List<byte[]>> subtask : rawListState(operator, stateName).entrySet()) {
            List<T> elements = new ArrayList<>();
            for (byte[] bytes : subtask.getValue()) {
                elements.add(SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes));
            }
            out.put(subtask.getKey(), elements);
        }
        return out;
    }

    /**
     * The committables that a sink's committer, restored from this state, commits before the job
     * processes anything: each one that its {@code CommitterOperator} holds for a checkpoint, handed
     * to a committer that only records them, as the operator does on restore.
     */
    public static <C> List<C> committablesCommittedOnRestore(OperatorState committer,
            SimpleVersionedSerializer<C> committableSerializer) throws IOException, InterruptedException {
        List<C> out = new ArrayList<>();
        Committer<C> recorder = new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<C>> requests) {
                requests.forEach(r -> out.add(r.getCommittable()));
            }

            @Override
            public void close() {}
        };
        for (Map.Entry<Integer, List<byte[]>> subtask : rawListState(committer, COMMITTER_STATE).entrySet()) {
            CommittableCollectorSerializer<C> serializer = new CommittableCollectorSerializer<>(committableSerializer,
                    subtask.getKey(), committer.getParallelism(), NO_METRICS);
            for (byte[] bytes : subtask.getValue()) {
                CommittableCollector<C> collector = SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes);
                for (CheckpointCommittableManager<C> checkpoint : collector.getCheckpointCommittablesUpTo(Long.MAX_VALUE)) {
                    checkpoint.commit(recorder, 0);
                }
            }
        }
        return out;
    }

    /** Copies a savepoint directory with everything in it (a savepoint is relocatable as a whole). */
    public static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** The raw elements of an operator list state of each subtask, as its state backend wrote them. */
    private static Map<Integer, List<byte[]>> rawListState(OperatorState operator, String stateName) throws IOException {
        Map<Integer, List<byte[]>> out = new TreeMap<>();
        for (Map.Entry<Integer, OperatorSubtaskState> subtask : operator.getSubtaskStates().entrySet()) {
            List<byte[]> elements = new ArrayList<>();
            for (OperatorStateHandle handle : subtask.getValue().getManagedOperatorState()) {
                OperatorStateHandle.StateMetaInfo info = handle.getStateNameToPartitionOffsets().get(stateName);
                if (info == null) {
                    continue;
                }
                try (FSDataInputStream in = handle.openInputStream()) {
                    for (long offset : info.getOffsets()) {
                        in.seek(offset);
                        elements.add(BytePrimitiveArraySerializer.INSTANCE.deserialize(new DataInputViewStreamWrapper(in)));
                    }
                }
            }
            out.put(subtask.getKey(), elements);
        }
        return out;
    }
}
