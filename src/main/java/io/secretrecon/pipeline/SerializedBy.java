package io.secretrecon.pipeline;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.io.Serializable;
import java.util.Objects;

/**
 * The type information of a class that one of the job's own serializers writes
 * ({@link SecretGetWire}, {@link FingerprintSortKey}): a single field to Flink, and a new
 * serializer for each use, since those serializers keep scratch state.
 */
final class SerializedBy<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    /** Makes a serializer; serializable, since the type travels in the job graph. */
    interface Serializers<T> extends Serializable {
        TypeSerializer<T> create();
    }

    private final Class<T> type;
    private final boolean key;
    private final String name;
    private final Serializers<T> serializers;

    /**
     * @param key whether it may key a stream
     * @param name what the web UI and error messages show, and what tells two such types apart
     */
    SerializedBy(Class<T> type, boolean key, String name, Serializers<T> serializers) {
        this.type = type;
        this.key = key;
        this.name = name;
        this.serializers = serializers;
    }

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
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return key;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializers.create();
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerializedBy && ((SerializedBy<?>) o).type == type && ((SerializedBy<?>) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name);
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SerializedBy;
    }
}
