package io.secretrecon.event;

import java.util.Objects;

/**
 * Where a record came from, for dead-letter entries: a file and line ({@code partition == -1}),
 * or a Kafka topic, partition and offset.
 */
public class RecordOrigin {

    public String source;
    public int partition;
    public long offset;

    public RecordOrigin() {}

    public RecordOrigin(String source, int partition, long offset) {
        this.source = source;
        this.partition = partition;
        this.offset = offset;
    }

    public static RecordOrigin fileLine(String file, long line) {
        return new RecordOrigin(file, -1, line);
    }

    public static RecordOrigin kafka(String topic, int partition, long offset) {
        return new RecordOrigin(topic, partition, offset);
    }

    public boolean isFile() {
        return partition < 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RecordOrigin)) {
            return false;
        }
        RecordOrigin that = (RecordOrigin) o;
        return partition == that.partition && offset == that.offset && Objects.equals(source, that.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, partition, offset);
    }

    @Override
    public String toString() {
        return isFile() ? source + ":" + offset : source + "/" + partition + "@" + offset;
    }
}
