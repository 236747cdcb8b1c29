package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Elasticsearch's small answers (mappings, templates, errors) as plain maps and lists, with
 * Jackson's streaming parser only (the job jar has no databind).
 */
final class JsonTree {

    static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int MAX_REASON_CHARS = 400;

    private JsonTree() {}

    static Object parse(byte[] json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            return t == null ? null : read(p, t);
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT:
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    map.put(name, read(p, p.nextToken()));
                }
                return map;
            case START_ARRAY:
                List<Object> list = new ArrayList<>();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    list.add(read(p, v));
                }
                return list;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object node, String key) {
        if (node instanceof Map) {
            Object v = ((Map<String, Object>) node).get(key);
            if (v instanceof Map) {
                return (Map<String, Object>) v;
            }
        }
        return null;
    }

    static String text(Object node, String key) {
        if (node instanceof Map) {
            Object v = ((Map<?, ?>) node).get(key);
            return v == null ? null : v.toString();
        }
        return null;
    }

    /** "type: reason (caused by type: reason)" of an Elasticsearch error object, or null. */
    static String describeError(Object error) {
        if (error instanceof String) {
            return (String) error;
        }
        if (!(error instanceof Map)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        out.append(text(error, "type")).append(": ").append(shorten(text(error, "reason")));
        Map<String, Object> cause = object(error, "caused_by");
        if (cause != null) {
            out.append(" (caused by ").append(text(cause, "type")).append(": ").append(shorten(text(cause, "reason"))).append(')');
        }
        return out.toString();
    }

    /** Elasticsearch quotes a preview of the offending value in a reason: keep it short so the cause survives. */
    private static String shorten(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        return reason.substring(0, MAX_REASON_CHARS) + "...";
    }
}
