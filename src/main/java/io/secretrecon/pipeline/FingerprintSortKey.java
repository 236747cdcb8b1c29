package io.secretrecon.pipeline;

import io.secretrecon.rule.Fingerprint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.security.MessageDigest;

/**
 * The detector's key type in BATCH runs: a {@link Fingerprint} written as its 16-byte
 * {@link Fingerprint#digest()}. BATCH sorts each input by the serialized key and the event time.
 * A key of fixed length lets the sorter put key and time into the sort index itself and compare
 * them there (Flink's fixed-length key comparator, normalized keys), without reading either record;
 * a key of variable length made it read and compare both records' whole keys for every
 * comparison, and the fingerprints' first dozens of bytes are often the same
 * ({@code system:serviceaccount:...}).
 *
 * <p>Equal fingerprints give equal bytes. Different ones give different bytes but for a SHA-256
 * collision; should that ever happen, the detector stops the job rather than mix two
 * fingerprints' events ({@code SecretBurstDetector}). The order between keys is arbitrary, which
 * BATCH allows, and the same in every run.
 *
 * <p>The bytes are only ever compared, never read back: the operator takes each record's key from
 * the record itself. Only BATCH runs use this type, and a BATCH run takes no checkpoint, so it is
 * never stored. STREAMING runs keep the POJO form, which their savepoints hold.
 */
final class FingerprintSortKey {

    private FingerprintSortKey() {}

    static final TypeInformation<Fingerprint> TYPE =
            new SerializedBy<>(Fingerprint.class, true, "Fingerprint (BATCH sort key)", Serializer::new);

    /** Stateful (a SHA-256 instance), so each thread gets its own ({@link #duplicate()}). */
    static final class Serializer extends TypeSerializer<Fingerprint> {
        private static final long serialVersionUID = 1L;

        private transient MessageDigest sha256;

        @Override
        public TypeSerializer<Fingerprint> duplicate() {
            return new Serializer();
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
            return Fingerprint.DIGEST_BYTES;
        }

        @Override
        public void serialize(Fingerprint f, DataOutputView out) throws IOException {
            if (sha256 == null) {
                sha256 = Fingerprint.sha256();
            }
            out.write(f.digest(sha256));
        }

        /** A digest cannot be read back into a fingerprint, and the BATCH runtime never asks. */
        @Override
        public Fingerprint deserialize(DataInputView in) {
            throw new UnsupportedOperationException("a BATCH sort key is a digest of the fingerprint and is never read back");
        }

        @Override
        public Fingerprint deserialize(Fingerprint reuse, DataInputView in) {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            out.write(in, Fingerprint.DIGEST_BYTES);
        }

        @Override
        public TypeSerializerSnapshot<Fingerprint> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Fingerprint> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
