package io.secretrecon.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.RecordOrigin;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One dead-letter entry (SPEC §7): {@code reason}, {@code detail}, {@code source} (file and line,
 * or topic, partition and offset), {@code item} for an EventList item, {@code record}, the
 * sanitized record text, and {@code truncated}. The one JSON form of a dead letter, for every
 * sink; it writes what {@link io.secretrecon.event.DeadLetters} made and adds nothing from the
 * original record, so sanitizing stays in one place.
 */
public final class DeadLetterJson {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private DeadLetterJson() {}

    public static String toJson(DeadLetter d) {
        StringWriter w = new StringWriter(256 + (d.record == null ? 0 : d.record.length()));
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason);
            g.writeStringField("detail", d.detail);
            g.writeObjectFieldStart("source");
            RecordOrigin o = d.origin;
            if (o != null) {
                if (o.isFile()) {
                    g.writeStringField("file", o.source);
                    g.writeNumberField("line", o.offset);
                } else {
                    g.writeStringField("topic", o.source);
                    g.writeNumberField("partition", o.partition);
                    g.writeNumberField("offset", o.offset);
                }
            }
            g.writeEndObject();
            if (d.item >= 0) {
                g.writeNumberField("item", d.item);
            }
            g.writeStringField("record", d.record);
            g.writeBooleanField("truncated", d.truncated);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
