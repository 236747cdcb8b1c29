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

/**
 * BATCH groups a key's events by the bytes of the serialized key, so the sort key's bytes must be
 * equal exactly when the fingerprints are: that is what keeps one fingerprint's events together
 * and two fingerprints' apart. Its first bytes must also tell different keys apart.
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
    void roundTripsEveryValueIncludingNullAndEmpty() throws IOException {
        for (Fingerprint f : tricky()) {
            byte[] b = bytes(f);
            Fingerprint back = serializer.deserialize(new DataInputDeserializer(b));
            assertThat(back).usingRecursiveComparison().isEqualTo(f);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            serializer.copy(new DataInputDeserializer(b), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void theFirstBytesTellKeysWithALongCommonPrefixApart() throws IOException {
        int distinctPrefixes = 0;
        Map<Integer, Integer> seen = new HashMap<>();
        for (int n = 0; n < 10_000; n++) {
            Fingerprint f = new Fingerprint("system:serviceaccount:data:cache-" + n, "system:serviceaccount:data:cache-" + n,
                    "10.244.5.22", "cache/v1.8.5 (linux/amd64) kubernetes/v0.31.2");
            byte[] b = bytes(f);
            int first = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if (seen.put(first, n) == null) {
                distinctPrefixes++;
            }
        }
        assertThat(distinctPrefixes).as("distinct 4-byte prefixes of 10,000 keys").isGreaterThan(9_980);
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
