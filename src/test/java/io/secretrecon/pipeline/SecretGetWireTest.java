package io.secretrecon.pipeline;

import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kept events' form on the keyed edge: Flink's own serializer contract (copies, sequences,
 * reuse, duplicates, snapshots), and an exact round trip of every string a client can choose,
 * lone surrogates included.
 */
class SecretGetWireTest extends SerializerTestBase<SecretGet> {

    SecretGetWireTest() {
        super(new DeeplyEqualsChecker().withCustomCheck(
                (a, b) -> a instanceof SecretGet && b instanceof SecretGet,
                (a, b, checker) -> sameFields((SecretGet) a, (SecretGet) b)));
    }

    private static boolean sameFields(SecretGet a, SecretGet b) {
        return Objects.equals(a.userName, b.userName) && Objects.equals(a.auditUserName, b.auditUserName)
                && Objects.equals(a.sourceIp, b.sourceIp) && Objects.equals(a.userAgent, b.userAgent)
                && Objects.equals(a.secretName, b.secretName) && Arrays.equals(a.namespaces, b.namespaces)
                && Arrays.equals(a.decisions, b.decisions) && Objects.equals(a.auditId, b.auditId)
                && a.timestamp == b.timestamp && Objects.equals(a.origin, b.origin);
    }

    @Override
    protected TypeSerializer<SecretGet> createSerializer() {
        return SecretGetWire.TYPE.createSerializer(new SerializerConfigImpl());
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<SecretGet> getTypeClass() {
        return SecretGet.class;
    }

    @Override
    protected SecretGet[] getTestData() {
        return new SecretGet[] {
            get("system:serviceaccount:data:cache-1", "10.244.5.22", "cache/v1.8.5 (linux/amd64)", "db-password",
                    new String[] {"data"}, new String[] {"allow"}, RecordOrigin.fileLine("/var/log/audit.log", 42)),
            get("alice", "::1", null, "s", null, null, null),
            get("", "2001:db8::1", "", "", new String[0], new String[] {"allow", "forbid"},
                    RecordOrigin.kafka("audit", 3, 1L << 40)),
            get("ü", "10.0.0.1", "\ud800", "日本", new String[] {"\udc00x", null}, null,
                    new RecordOrigin(null, -1, -5)),
            get("x".repeat(70_000), "10.0.0.2", "z".repeat(300), "y".repeat(257), null, null, null),
        };
    }

    @Override
    protected void deepEquals(String message, SecretGet should, SecretGet is) {
        assertThat(is).as(message).usingRecursiveComparison().isEqualTo(should);
    }

    @Test
    void randomStringsOfAnyCharactersRoundTripExactly() throws IOException {
        TypeSerializer<SecretGet> serializer = createSerializer();
        Random random = new Random(11);
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (int n = 0; n < 2_000; n++) {
            SecretGet g = get(text(random), text(random), random.nextBoolean() ? null : text(random), text(random),
                    new String[] {text(random)}, null, RecordOrigin.fileLine(text(random), n));
            g.auditId = text(random);
            g.timestamp = random.nextLong();
            out.clear();
            serializer.serialize(g, out);
            SecretGet back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).usingRecursiveComparison().isEqualTo(g);
        }
    }

    private static String text(Random random) {
        char[] c = new char[random.nextInt(40)];
        for (int i = 0; i < c.length; i++) {
            c[i] = random.nextInt(3) == 0 ? (char) random.nextInt(Character.MAX_VALUE + 1) : (char) (' ' + random.nextInt(95));
        }
        return new String(c);
    }

    private static SecretGet get(String user, String ip, String agent, String secret, String[] namespaces,
            String[] decisions, RecordOrigin origin) {
        SecretGet g = new SecretGet();
        g.userName = user;
        g.auditUserName = user + "-audit";
        g.sourceIp = ip;
        g.userAgent = agent;
        g.secretName = secret;
        g.namespaces = namespaces;
        g.decisions = decisions;
        g.auditId = "id-" + secret.length();
        g.timestamp = 1_700_000_000_000L + secret.length();
        g.origin = origin;
        return g;
    }
}
