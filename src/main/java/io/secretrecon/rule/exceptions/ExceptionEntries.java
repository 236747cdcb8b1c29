package io.secretrecon.rule.exceptions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.secretrecon.event.EventTimes;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON form of an exception entry, read strictly:
 *
 * <pre>{@code
 * {"id": "velero-backups", "field": "kubernetes.audit.user.username", "operator": "is",
 *  "values": ["system:serviceaccount:velero:velero"], "decision": "allow",
 *  "expires": "2026-12-31T00:00:00Z", "author": "jane", "comment": "nightly backup reads every secret"}
 * }</pre>
 *
 * {@code id}, {@code field}, {@code operator}, {@code values}, {@code author} and {@code comment}
 * are required; {@code decision} (only {@code allow}), {@code expires} and {@code effective}
 * (ISO-8601 or epoch ms) are optional. An unknown or repeated member is an error, so that a typo
 * ({@code "expire"}) cannot leave an exception in force for ever. Without {@code effective}, an
 * entry is effective from the time of the record that carried it.
 */
public final class ExceptionEntries {

    /** The dead-letter reason of a control record that changes nothing because it is wrong. */
    public static final String REASON_MALFORMED = io.secretrecon.event.DeadLetterReason.MALFORMED_EXCEPTION.wireName();

    public static final int MAX_RECORD_CHARS = 64 * 1024;
    public static final int MAX_VALUES = 1000;
    public static final int MAX_VALUE_LENGTH = 4096;
    public static final int MAX_AUTHOR_LENGTH = 256;
    public static final int MAX_COMMENT_LENGTH = 4096;
    /** Ids are safe as Kafka keys, metric group names and file content. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}");

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final Set<String> MEMBERS = Set.of("id", "field", "operator", "values", "decision", "expires",
            "effective", "author", "comment");

    private ExceptionEntries() {}

    /** An accepted entry, or why it was refused. */
    public static final class Parsed {
        public final ExceptionEntry entry;
        public final String error;
        /** The entry gave its own {@code effective} time. */
        public final boolean effectiveGiven;

        private Parsed(ExceptionEntry entry, String error, boolean effectiveGiven) {
            this.entry = entry;
            this.error = error;
            this.effectiveGiven = effectiveGiven;
        }

        public boolean ok() {
            return entry != null;
        }
    }

    /**
     * Reads and validates one entry.
     *
     * @param key the Kafka record key, which must equal the id; null for a line of the file
     * @param recordTime the effective time when the entry does not give one
     */
    public static Parsed parse(String json, String key, long recordTime) {
        if (json.length() > MAX_RECORD_CHARS) {
            return error("longer than " + MAX_RECORD_CHARS + " characters");
        }
        ExceptionEntry e = new ExceptionEntry();
        Long effective = null;
        Set<String> seen = new HashSet<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return error("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!MEMBERS.contains(name)) {
                    return error("unknown member '" + shown(name) + "' (members: id, field, operator, values, decision, "
                            + "expires, effective, author, comment)");
                }
                if (!seen.add(name)) {
                    return error("member '" + name + "' repeated");
                }
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id": e.id = string(p, v, name); break;
                    case "field": e.field = string(p, v, name); break;
                    case "operator": e.operator = string(p, v, name); break;
                    case "values": e.values = strings(p, v); break;
                    case "decision": e.decision = v == JsonToken.VALUE_NULL ? null : string(p, v, name); break;
                    case "expires":
                        Long expires = time(p, v, name);
                        e.expires = expires == null ? ExceptionEntry.NEVER : expires;
                        break;
                    case "effective": effective = time(p, v, name); break;
                    case "author": e.author = string(p, v, name); break;
                    case "comment": e.comment = string(p, v, name); break;
                    default: throw new IllegalStateException(name);
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return error("not a single JSON object");
            }
        } catch (Invalid invalid) {
            return error(invalid.getMessage());
        } catch (IOException | RuntimeException notJson) {
            return error("not valid JSON");
        }
        for (String required : List.of("id", "field", "operator", "values", "author", "comment")) {
            if (!seen.contains(required)) {
                return error("member '" + required + "' is required");
            }
        }
        if (!ID.matcher(e.id).matches()) {
            return error("id must be 1 to 128 letters, digits and . _ : @ / - (starting with a letter or digit), got '"
                    + shown(e.id) + "'");
        }
        if (key != null && !key.equals(e.id)) {
            return error("id '" + e.id + "' differs from the record key '" + shown(key) + "'");
        }
        if (e.author.isBlank() || e.author.length() > MAX_AUTHOR_LENGTH) {
            return error("author must be 1 to " + MAX_AUTHOR_LENGTH + " characters, not blank");
        }
        if (e.comment.isBlank() || e.comment.length() > MAX_COMMENT_LENGTH) {
            return error("comment must be 1 to " + MAX_COMMENT_LENGTH + " characters, not blank");
        }
        e.effective = effective != null ? effective : recordTime;
        try {
            CompiledException.of(e);
        } catch (IllegalArgumentException invalid) {
            return error(invalid.getMessage());
        }
        return new Parsed(e, null, effective != null);
    }

    private static Parsed error(String message) {
        return new Parsed(null, message, false);
    }

    private static String string(JsonParser p, JsonToken v, String name) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw new Invalid("'" + name + "' must be a string");
        }
        return p.getText();
    }

    private static String[] strings(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new Invalid("'values' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw new Invalid("'values' must be an array of strings");
            }
            if (out.size() == MAX_VALUES) {
                throw new Invalid("more than " + MAX_VALUES + " values");
            }
            String s = p.getText();
            if (s.length() > MAX_VALUE_LENGTH) {
                throw new Invalid("a value is longer than " + MAX_VALUE_LENGTH + " characters");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new Invalid("'values' must not be empty");
        }
        return out.toArray(new String[0]);
    }

    private static Long time(JsonParser p, JsonToken v, String name) throws IOException {
        try {
            switch (v) {
                case VALUE_NULL:
                    return null;
                case VALUE_STRING:
                    return EventTimes.parse(p.getText());
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    return EventTimes.fromNumber(p.getDoubleValue());
                default:
                    throw new Invalid("'" + name + "' must be an ISO-8601 time or epoch milliseconds");
            }
        } catch (IllegalArgumentException e) {
            throw new Invalid("'" + name + "': " + e.getMessage());
        }
    }

    private static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /** The entry as JSON, {@code effective} and {@code expires} as ISO-8601 UTC. */
    public static String toJson(ExceptionEntry e) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", e.id);
            g.writeStringField("field", e.field);
            g.writeStringField("operator", e.operator);
            g.writeArrayFieldStart("values");
            for (String v : e.values) {
                g.writeString(v);
            }
            g.writeEndArray();
            if (e.decision != null) {
                g.writeStringField("decision", e.decision);
            }
            g.writeStringField("effective", EventTimes.format(e.effective));
            if (e.expires != ExceptionEntry.NEVER) {
                g.writeStringField("expires", EventTimes.format(e.expires));
            }
            g.writeStringField("author", e.author);
            g.writeStringField("comment", e.comment);
            g.writeEndObject();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toString();
    }

    /** A structural error found while reading. */
    private static final class Invalid extends IOException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }
}
