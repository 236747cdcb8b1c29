package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks one record's tokens once, guided by the {@link FieldTrie}: it descends only into members
 * that lead to an {@link AuditField} and skips everything else token by token, so
 * {@code requestObject}/{@code responseObject} (and every other member) are never built in memory
 * and their keys never even compared. Values are collected into {@link FieldValues}; a wrong type
 * is recorded there, not thrown. Structural problems (a repeated key among the read members, an
 * unexpected token) throw {@link MalformedRecordException}; invalid JSON throws Jackson's
 * exceptions, which the {@link AuditRecordParser} turns into dead letters.
 *
 * <p>Stateless: static methods over the caller's parser.
 */
final class AuditRecordWalker {

    private static final String ITEMS = "items";

    private AuditRecordWalker() {}

    /**
     * Reads the members of the record's top-level object, whose START_OBJECT was just consumed,
     * into {@code top}. Returns the items of a top-level {@code items} array (an EventList), each
     * read as a raw event, else null.
     */
    static List<FieldValues> readRecord(JsonParser p, FieldValues top) throws IOException {
        return readObject(p, FieldTrie.RECORD, top, true);
    }

    private static List<FieldValues> readObject(JsonParser p, FieldTrie.Node node, FieldValues values, boolean top)
            throws IOException {
        List<FieldValues> itemValues = null;
        JsonToken t;
        // Duplicate keys are checked among the members the rule reads (Elasticsearch would refuse
        // the document; a repeated "verb" must not read as one value). Jackson's own detection of
        // every key in every object costs a quarter of the parse time.
        String[] seen = null;
        int seenCount = 0;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            boolean items = top && ITEMS.equals(key);
            FieldTrie.Node child = items ? null : node.resolve(key);
            if (child != null || items) {
                if (seen == null) {
                    seen = new String[8];
                }
                for (int i = 0; i < seenCount; i++) {
                    if (seen[i].equals(key)) {
                        throw new MalformedRecordException("duplicate key '" + key + "'");
                    }
                }
                if (seenCount == seen.length) {
                    seen = Arrays.copyOf(seen, seenCount * 2);
                }
                seen[seenCount++] = key;
            }
            if (items && value == JsonToken.START_ARRAY) {
                itemValues = readItems(p);
                continue;
            }
            if (child == null) {
                p.skipChildren();
                continue;
            }
            readValue(p, child, values, value, key);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new MalformedRecordException("unexpected token " + t);
        }
        return itemValues;
    }

    /** Each item on its own: a bad item is recorded in its values and the walk goes on. */
    private static List<FieldValues> readItems(JsonParser p) throws IOException {
        List<FieldValues> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            FieldValues item = new FieldValues();
            if (t == JsonToken.START_OBJECT) {
                try {
                    readObject(p, FieldTrie.RAW_ITEM, item, false);
                } catch (MalformedRecordException e) {
                    item.error = e.getMessage();
                    skipRestOfObject(p);
                }
            } else {
                p.skipChildren();
                item.error = "item is not a JSON object";
            }
            items.add(item);
        }
        return items;
    }

    /** After a MalformedRecordException thrown inside an item, moves the parser past that item's END_OBJECT. */
    private static void skipRestOfObject(JsonParser p) throws IOException {
        int depth = p.getParsingContext().getNestingDepth();
        // The parser sits somewhere inside the item (depth >= item depth); unwind to the array.
        while (depth > 1 && p.nextToken() != null) {
            depth = p.getParsingContext().getNestingDepth();
            if (p.currentToken() == JsonToken.END_ARRAY && depth == 1) {
                break;
            }
            if ((p.currentToken() == JsonToken.END_OBJECT || p.currentToken() == JsonToken.END_ARRAY) && depth == 2) {
                break;
            }
        }
    }

    private static void readValue(JsonParser p, FieldTrie.Node node, FieldValues values, JsonToken t, String key)
            throws IOException {
        switch (t) {
            case START_OBJECT:
                if (!node.hasChildren()) {
                    values.fail(node, fieldName(node, key) + ": expected a value, found an object");
                    p.skipChildren();
                    return;
                }
                readObject(p, node, values, false);
                return;
            case START_ARRAY:
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    readValue(p, node, values, e, key);
                }
                return;
            case VALUE_NULL:
                return;
            case VALUE_STRING:
                if (isLeaf(node, values, key, "a string")) {
                    values.add(node.field, p.getText());
                }
                return;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                if (!isLeaf(node, values, key, "a number")) {
                    return;
                }
                if (!node.field.time) {
                    values.fail(node, node.field.label + ": expected a string, found a number");
                    return;
                }
                try {
                    values.add(node.field, t == JsonToken.VALUE_NUMBER_INT ? integerMillis(p, node.field) : floatMillis(p, node.field));
                } catch (MalformedRecordException bad) {
                    values.fail(node, bad.getMessage());
                }
                return;
            case VALUE_TRUE:
            case VALUE_FALSE:
                if (isLeaf(node, values, key, "a boolean")) {
                    values.fail(node, node.field.label + ": expected a string, found a boolean");
                }
                return;
            default:
                throw new MalformedRecordException("unexpected token " + t);
        }
    }

    private static long integerMillis(JsonParser p, AuditField f) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new MalformedRecordException(f.label + ": timestamp out of range");
        }
        return p.getLongValue();
    }

    private static long floatMillis(JsonParser p, AuditField f) throws IOException {
        try {
            return EventTimes.fromNumber(p.getDoubleValue());
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(f.label + ": " + e.getMessage());
        }
    }

    /**
     * Whether a scalar may sit at {@code node}; if not, every field below the node is marked
     * wrong-typed. A type error only makes the record malformed if its shape reads that field.
     */
    private static boolean isLeaf(FieldTrie.Node node, FieldValues values, String key, String found) {
        if (node.field == null) {
            values.fail(node, fieldName(node, key) + ": expected an object, found " + found);
            return false;
        }
        return true;
    }

    private static String fieldName(FieldTrie.Node node, String key) {
        return node.field != null ? node.field.label : key;
    }
}
