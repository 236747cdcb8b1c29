package io.secretrecon.pipeline;

import io.secretrecon.rule.Fingerprint;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.util.MathUtils;

import java.io.IOException;

/**
 * The detector's key type in BATCH runs: a {@link Fingerprint} serialized behind a 4-byte hash of
 * itself. BATCH sorts each input by the serialized key, comparing a prefix of its bytes first and
 * the whole key only when the prefixes are equal. The plain POJO form starts with the user name,
 * and many fingerprints share its first dozens of bytes ({@code system:serviceaccount:...}), so
 * nearly every comparison of two different keys read both keys to the end. Behind the hash, two
 * different keys almost always differ in the first bytes.
 *
 * <p>Equal fingerprints give equal bytes and different ones different bytes (the hash only comes
 * first), so grouping is exact. The order between keys is arbitrary, which BATCH allows.
 *
 * <p>Only BATCH runs use it: a BATCH run takes no checkpoint, so this form is never stored.
 * STREAMING runs keep the POJO form, which their savepoints hold.
 */
final class FingerprintSortKey {

    private FingerprintSortKey() {}

    static final TypeInformation<Fingerprint> TYPE = new Type();

    /** Flink's murmur hash of the key's hash: every input bit reaches the first byte written. */
    static int prefix(Fingerprint f) {
        return MathUtils.murmurHash(f.hashCode());
    }

    static final class Serializer extends TypeSerializerSingleton<Fingerprint> {
        private static final long serialVersionUID = 1L;
        static final Serializer INSTANCE = new Serializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public Fingerprint createInstance() {
            return new Fingerprint();
        }

        @Override
        public Fingerprint copy(Fingerprint from) {
            return new Fingerprint(from.userName, from.auditUserName, from.sourceIp, from.userAgent);
        }

        @Override
        public Fingerprint copy(Fingerprint from, Fingerprint reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(Fingerprint f, DataOutputView out) throws IOException {
            out.writeInt(prefix(f));
            // StringValue writes null as its own marker, distinct from "".
            StringValue.writeString(f.userName, out);
            StringValue.writeString(f.auditUserName, out);
            StringValue.writeString(f.sourceIp, out);
            StringValue.writeString(f.userAgent, out);
        }

        @Override
        public Fingerprint deserialize(DataInputView in) throws IOException {
            in.readInt();
            return new Fingerprint(StringValue.readString(in), StringValue.readString(in),
                    StringValue.readString(in), StringValue.readString(in));
        }

        @Override
        public Fingerprint deserialize(Fingerprint reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            out.writeInt(in.readInt());
            for (int k = 0; k < 4; k++) {
                StringValue.copyString(in, out);
            }
        }

        @Override
        public TypeSerializerSnapshot<Fingerprint> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** Flink asks every serializer for one; a BATCH run never writes it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Fingerprint> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }

    private static final class Type extends TypeInformation<Fingerprint> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<Fingerprint> getTypeClass() {
            return Fingerprint.class;
        }

        @Override
        public boolean isKeyType() {
            return true;
        }

        @Override
        public TypeSerializer<Fingerprint> createSerializer(SerializerConfig config) {
            return Serializer.INSTANCE;
        }

        @Override
        public String toString() {
            return "Fingerprint (BATCH sort key)";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Type;
        }

        @Override
        public int hashCode() {
            return Type.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof Type;
        }
    }
}
