package io.secretrecon.pipeline;

import io.secretrecon.rule.Fingerprint;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * BATCH groups a key's events by the bytes of the serialized key, so the sort key's bytes must be
 * equal exactly when the fingerprints are: that is what keeps one fingerprint's events together
 * and two fingerprints' apart. They must also have the fixed length that lets Flink's sorter
 * compare them in its index.
 */
class FingerprintSortKeyTest {

    private final TypeSerializer<Fingerprint> serializer =
            FingerprintSortKey.TYPE.createSerializer(new SerializerConfigImpl());

    @Test
    void equalBytesExactlyForEqualFingerprints() throws IOException {
        List<Fingerprint> all = new ArrayList<>(tricky());
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            all.add(new Fingerprint(pick(random), pick(random), pick(random), random.nextInt(5) == 0 ? null : pick(random)));
        }
        Map<String, Fingerprint> byBytes = new HashMap<>();
        for (Fingerprint f : all) {
            Fingerprint earlier = byBytes.putIfAbsent(Arrays.toString(bytes(f)), f);
            if (earlier != null) {
                assertThat(earlier).as("same bytes").isEqualTo(f);
            }
        }
        for (Fingerprint f : all) {
            assertThat(bytes(copy(f))).as("a copy's bytes").isEqualTo(bytes(f));
        }
        assertThat(byBytes).hasSize((int) all.stream().distinct().count());
    }

    @Test
    void everyKeyHasTheFixedLengthTheSorterComparesInItsIndex() throws IOException {
        assertThat(serializer.getLength()).isEqualTo(Fingerprint.DIGEST_BYTES);
        for (Fingerprint f : tricky()) {
            byte[] b = bytes(f);
            assertThat(b).hasSize(serializer.getLength());
            assertThat(b).isEqualTo(f.digest());
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(new DataInputDeserializer(b), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void aDigestIsNeverReadBack() {
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(new byte[Fingerprint.DIGEST_BYTES])))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eachThreadGetsItsOwnSerializer() {
        assertThat(serializer.duplicate()).isNotSameAs(serializer).isEqualTo(serializer);
    }

    private byte[] bytes(Fingerprint f) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(f, out);
        return out.getCopyOfBuffer();
    }

    private Fingerprint copy(Fingerprint f) {
        return serializer.copy(f);
    }

    private static List<Fingerprint> tricky() {
        return List.of(
                new Fingerprint("a", "b", "10.0.0.1", null),
                new Fingerprint("a", "b", "10.0.0.1", ""),
                new Fingerprint("a", "b", "10.0.0.1", "null"),
                new Fingerprint("ab", "", "10.0.0.1", null),
                new Fingerprint("a", "b", "10.0.0.1", "\0"),
                new Fingerprint("", "", "", ""),
                new Fingerprint("ü", "日本", "::1", "\ud800"),
                new Fingerprint("ü", "日本", "::1", "\udc00"),
                new Fingerprint("ü", "日本", "::1", "\ud83d\ude00"),
                new Fingerprint("x".repeat(70_000), "y", "2001:db8::1", "z".repeat(100_000)));
    }

    private static String pick(Random random) {
        String[] parts = {"", "a", "b", ":", "system:serviceaccount:", "\u00e9", "\ud800", "kube", "10.0.0.", "1"};
        StringBuilder s = new StringBuilder();
        for (int k = random.nextInt(4); k > 0; k--) {
            s.append(parts[random.nextInt(parts.length)]);
        }
        return s.toString();
    }
}
