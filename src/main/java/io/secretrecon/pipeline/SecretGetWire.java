package io.secretrecon.pipeline;

import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The type of the kept events on the keyed edge (rule filter to detector): a {@link SecretGet}
 * written field by field with {@link WireStrings}, instead of Flink's POJO serializer, which sets
 * and gets every field by reflection and every string character by character. In a BATCH run each
 * kept event is serialized and read twice on this edge (the shuffle, then the detector's sort), and
 * that was most of the detector stage.
 *
 * <p>Only the network sees this form: no state holds a {@code SecretGet} (the detector keeps its
 * own {@code SecretTrail}s and {@code Sighting}s), so no savepoint depends on it, and a job of the
 * next release may change it freely. {@link SecretGet} stays a POJO for everything else.
 */
final class SecretGetWire {

    private SecretGetWire() {}

    static final TypeInformation<SecretGet> TYPE =
            new SerializedBy<>(SecretGet.class, false, "SecretGet (keyed edge)", Serializer::new);

    /** Layout: the eight strings, the two string arrays, the time, the origin. Stateful ({@link WireStrings}). */
    static final class Serializer extends TypeSerializer<SecretGet> {
        private static final long serialVersionUID = 1L;

        private transient WireStrings strings;

        private WireStrings strings() {
            if (strings == null) {
                strings = new WireStrings();
            }
            return strings;
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<SecretGet> duplicate() {
            return new Serializer();
        }

        @Override
        public SecretGet createInstance() {
            return new SecretGet();
        }

        @Override
        public SecretGet copy(SecretGet from) {
            SecretGet g = new SecretGet();
            g.userName = from.userName;
            g.auditUserName = from.auditUserName;
            g.sourceIp = from.sourceIp;
            g.userAgent = from.userAgent;
            g.secretName = from.secretName;
            g.namespaces = from.namespaces == null ? null : from.namespaces.clone();
            g.decisions = from.decisions == null ? null : from.decisions.clone();
            g.auditId = from.auditId;
            g.timestamp = from.timestamp;
            g.origin = from.origin == null ? null
                    : new RecordOrigin(from.origin.source, from.origin.partition, from.origin.offset);
            return g;
        }

        @Override
        public SecretGet copy(SecretGet from, SecretGet reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(SecretGet g, DataOutputView out) throws IOException {
            WireStrings s = strings();
            s.write(g.userName, out);
            s.write(g.auditUserName, out);
            s.write(g.sourceIp, out);
            s.write(g.userAgent, out);
            s.write(g.secretName, out);
            s.write(g.auditId, out);
            writeArray(g.namespaces, s, out);
            writeArray(g.decisions, s, out);
            out.writeLong(g.timestamp);
            RecordOrigin o = g.origin;
            out.writeBoolean(o != null);
            if (o != null) {
                s.write(o.source, out);
                out.writeInt(o.partition);
                out.writeLong(o.offset);
            }
        }

        @Override
        public SecretGet deserialize(DataInputView in) throws IOException {
            WireStrings s = strings();
            SecretGet g = new SecretGet();
            g.userName = s.read(in);
            g.auditUserName = s.read(in);
            g.sourceIp = s.read(in);
            g.userAgent = s.read(in);
            g.secretName = s.read(in);
            g.auditId = s.read(in);
            g.namespaces = readArray(s, in);
            g.decisions = readArray(s, in);
            g.timestamp = in.readLong();
            if (in.readBoolean()) {
                String source = s.read(in);
                int partition = in.readInt();
                g.origin = new RecordOrigin(source, partition, in.readLong());
            }
            return g;
        }

        @Override
        public SecretGet deserialize(SecretGet reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            WireStrings s = strings();
            for (int k = 0; k < 6; k++) {
                s.copy(in, out);
            }
            copyArray(s, in, out);
            copyArray(s, in, out);
            out.writeLong(in.readLong());
            boolean origin = in.readBoolean();
            out.writeBoolean(origin);
            if (origin) {
                s.copy(in, out);
                out.writeInt(in.readInt());
                out.writeLong(in.readLong());
            }
        }

        /** The array's length plus one (0 for null), then its elements. */
        private static void writeArray(String[] values, WireStrings s, DataOutputView out) throws IOException {
            if (values == null) {
                WireStrings.writeVarint(0, out);
                return;
            }
            WireStrings.writeVarint(values.length + 1L, out);
            for (String v : values) {
                s.write(v, out);
            }
        }

        private static String[] readArray(WireStrings s, DataInputView in) throws IOException {
            int n = arrayLength(in);
            if (n < 0) {
                return null;
            }
            String[] values = new String[n];
            for (int k = 0; k < n; k++) {
                values[k] = s.read(in);
            }
            return values;
        }

        private static void copyArray(WireStrings s, DataInputView in, DataOutputView out) throws IOException {
            int n = arrayLength(in);
            WireStrings.writeVarint(n + 1L, out);
            for (int k = 0; k < n; k++) {
                s.copy(in, out);
            }
        }

        private static int arrayLength(DataInputView in) throws IOException {
            long header = WireStrings.readVarint(in);
            if (header > Integer.MAX_VALUE) {
                throw new IOException("corrupt array header " + header);
            }
            return (int) header - 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Serializer;
        }

        @Override
        public int hashCode() {
            return Serializer.class.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<SecretGet> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SecretGet> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
