package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One alert as a bulk {@code index} action: {@code _id} = the alert id, {@code version} = its
 * revision with {@code version_type: external}, so Elasticsearch keeps the highest revision and
 * answers a replayed or older one with 409. {@link #ndjson} is the action line and the document
 * line, each ended by a newline, ready to be concatenated into a bulk body.
 */
final class BulkDocument {

    final String id;
    final long version;
    /** The alert document, for a dead letter if Elasticsearch rejects it. */
    final String source;
    final byte[] ndjson;

    private BulkDocument(String id, long version, String source, byte[] ndjson) {
        this.id = id;
        this.version = version;
        this.source = source;
        this.ndjson = ndjson;
    }

    static BulkDocument of(String index, Alert alert) {
        return of(index, alert.id, alert.storeVersion(), AlertJson.toJson(alert));
    }

    static BulkDocument of(String index, String id, long version, String sourceJson) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("an alert without an id cannot be written idempotently");
        }
        if (version < 0) {
            throw new IllegalArgumentException("alert " + id + " has version " + version + "; external versions start at 0");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(sourceJson.length() + 160);
        try (JsonGenerator g = JsonTree.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("index");
            g.writeStringField("_index", index);
            g.writeStringField("_id", id);
            g.writeNumberField("version", version);
            g.writeStringField("version_type", "external");
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        // The document is one line: JSON strings cannot hold a raw newline, and AlertJson never pretty-prints.
        byte[] doc = sourceJson.getBytes(StandardCharsets.UTF_8);
        out.write(doc, 0, doc.length);
        out.write('\n');
        return new BulkDocument(id, version, sourceJson, out.toByteArray());
    }

    int size() {
        return ndjson.length;
    }

    /** The body of a bulk request over documents. */
    static byte[] body(List<BulkDocument> docs) {
        int size = 0;
        for (BulkDocument d : docs) {
            size += d.ndjson.length;
        }
        byte[] body = new byte[size];
        int at = 0;
        for (BulkDocument d : docs) {
            System.arraycopy(d.ndjson, 0, body, at, d.ndjson.length);
            at += d.ndjson.length;
        }
        return body;
    }
}
