package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Parses one input record (UTF-8 JSON) into audit events, detecting its shape (SPEC §2):
 *
 * <ul>
 *   <li>a raw Kubernetes audit event ({@code apiVersion: audit.k8s.io/*}, {@code kind: Event}),
 *       mapped to the ECS view the way Elastic's ingest pipeline maps it;
 *   <li>an {@code EventList} of raw events, as the webhook backend posts them: one event per item;
 *   <li>anything else is an ECS document, with nested objects, dotted keys or both at any level.
 * </ul>
 *
 * <p>The parser streams: it descends only into the members the rule reads and skips the rest
 * token by token, so {@code requestObject}/{@code responseObject} (and everything else) are never
 * built in memory. A record that is not valid UTF-8 JSON, has a wrong type where the rule reads a
 * value (an object where a string belongs, a number as a user name), an unparsable IP or time, or
 * no time at all is returned as a dead letter with reason {@code malformed}.
 *
 * <p>Not thread-safe; one instance per source reader.
 */
public final class AuditRecordParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final String DATASET = "kubernetes.audit_logs";

    // Field ids. ECS paths and raw paths share one trie; which ids are read depends on the shape.
    private static final int ECS_DATASET = 0;
    private static final int ECS_ACTION = 1;
    private static final int ECS_INGESTED = 2;
    private static final int ECS_TIMESTAMP = 3;
    private static final int ECS_RESOURCE = 4;
    private static final int ECS_NAME = 5;
    private static final int ECS_NAMESPACE = 6;
    private static final int ECS_USER_NAME = 7;
    private static final int ECS_AUDIT_USERNAME = 8;
    private static final int ECS_SOURCE_IP = 9;
    private static final int ECS_USER_AGENT = 10;
    private static final int ECS_DECISION = 11;
    private static final int ECS_AUDIT_ID = 12;
    private static final int RAW_KIND = 13;
    private static final int RAW_API_VERSION = 14;
    private static final int RAW_VERB = 15;
    private static final int RAW_USERNAME = 16;
    private static final int RAW_SOURCE_IPS = 17;
    private static final int RAW_USER_AGENT = 18;
    private static final int RAW_RESOURCE = 19;
    private static final int RAW_NAME = 20;
    private static final int RAW_NAMESPACE = 21;
    private static final int RAW_DECISION = 22;
    private static final int RAW_RECEIVED = 23;
    private static final int RAW_TIMESTAMP = 24;
    private static final int RAW_STAGE_TIMESTAMP = 25;
    private static final int RAW_AUDIT_ID = 26;
    private static final int FIELD_COUNT = 27;

    private static final boolean[] IS_TIME = new boolean[FIELD_COUNT];
    private static final String[] FIELD_NAMES = new String[FIELD_COUNT];

    private static final Node ROOT = new Node();
    private static final Node RAW_ITEM_ROOT = new Node();
    private static final String ITEMS = "items";

    static {
        ecs("event.dataset", ECS_DATASET);
        ecs("event.action", ECS_ACTION);
        ecs("event.ingested", ECS_INGESTED);
        ecs("@timestamp", ECS_TIMESTAMP);
        ecs("kubernetes.audit.objectRef.resource", ECS_RESOURCE);
        ecs("kubernetes.audit.objectRef.name", ECS_NAME);
        ecs("kubernetes.audit.objectRef.namespace", ECS_NAMESPACE);
        ecs("user.name", ECS_USER_NAME);
        ecs("kubernetes.audit.user.username", ECS_AUDIT_USERNAME);
        ecs("source.ip", ECS_SOURCE_IP);
        ecs("user_agent.original", ECS_USER_AGENT);
        ecs("kubernetes.audit.annotations.authorization_k8s_io/decision", ECS_DECISION);
        ecs("kubernetes.audit.auditID", ECS_AUDIT_ID);
        raw(RAW_KIND, "kind");
        raw(RAW_API_VERSION, "apiVersion");
        raw(RAW_VERB, "verb");
        raw(RAW_USERNAME, "user", "username");
        raw(RAW_SOURCE_IPS, "sourceIPs");
        raw(RAW_USER_AGENT, "userAgent");
        raw(RAW_RESOURCE, "objectRef", "resource");
        raw(RAW_NAME, "objectRef", "name");
        raw(RAW_NAMESPACE, "objectRef", "namespace");
        raw(RAW_DECISION, "annotations", "authorization.k8s.io/decision");
        raw(RAW_RECEIVED, "requestReceivedTimestamp");
        raw(RAW_TIMESTAMP, "timestamp");
        raw(RAW_STAGE_TIMESTAMP, "stageTimestamp");
        raw(RAW_AUDIT_ID, "auditID");
        for (int id : new int[] {ECS_INGESTED, ECS_TIMESTAMP, RAW_RECEIVED, RAW_TIMESTAMP, RAW_STAGE_TIMESTAMP}) {
            IS_TIME[id] = true;
        }
    }

    private static void ecs(String dottedPath, int id) {
        ROOT.path(dottedPath.split("\\.")).field = id;
        FIELD_NAMES[id] = dottedPath;
    }

    private static void raw(int id, String... path) {
        ROOT.path(path).field = id;
        RAW_ITEM_ROOT.path(path).field = id;
        FIELD_NAMES[id] = String.join(".", path);
    }

    private final transient JsonFactory json;
    private final long maxRecordBytes;

    /** @param maxRecordBytes records longer than this are dead-lettered as {@code too-large} */
    public AuditRecordParser(long maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
                .build();
    }

    private Object readResolve() {
        return new AuditRecordParser(maxRecordBytes);
    }

    /**
     * Parses one record and hands every result (events and dead letters) to {@code out}.
     *
     * @param kafkaTimestamp the Kafka record timestamp, or {@code null} outside Kafka; it becomes
     *     {@code event.ingested} of raw audit events
     */
    public void parse(byte[] bytes, int offset, int length, RecordOrigin origin, Long kafkaTimestamp, Consumer<ParsedRecord> out) {
        if (length > maxRecordBytes) {
            // Only the head is kept: it is not valid JSON on its own, so it is cut before any payload.
            out.accept(ParsedRecord.of(DeadLetters.tooLarge(length, maxRecordBytes, origin,
                    bytes, offset, Math.min(length, DeadLetters.MAX_RECORD_BYTES))));
            return;
        }
        Bag top = new Bag();
        List<Bag> items = null;
        try (JsonParser p = json.createParser(bytes, offset, length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new Malformed("record is not a JSON object");
            }
            items = readObject(p, ROOT, top, true);
            if (p.nextToken() != null) {
                throw new Malformed("trailing data after the JSON object");
            }
        } catch (Malformed e) {
            out.accept(malformed(e.getMessage(), origin, bytes, offset, length));
            return;
        } catch (StreamConstraintsException e) {
            out.accept(malformed("record exceeds parser limits: " + firstLine(e.getOriginalMessage()), origin, bytes, offset, length));
            return;
        } catch (JsonParseException e) {
            out.accept(malformed("invalid JSON: " + jsonError(e, bytes, offset, length), origin, bytes, offset, length));
            return;
        } catch (IOException e) {
            out.accept(malformed("unreadable record: " + firstLine(e.getMessage()), origin, bytes, offset, length));
            return;
        }

        String kind = top.single(RAW_KIND);
        String apiVersion = top.single(RAW_API_VERSION);
        boolean auditApi = apiVersion != null && apiVersion.startsWith("audit.k8s.io/");
        try {
            if (auditApi && "Event".equals(kind)) {
                out.accept(ParsedRecord.of(fromRaw(top, origin, kafkaTimestamp)));
                return;
            }
            if (auditApi && "EventList".equals(kind)) {
                if (items == null) {
                    throw new Malformed("EventList without an items array");
                }
                emitItems(items, bytes, offset, length, origin, kafkaTimestamp, out);
                return;
            }
            out.accept(ParsedRecord.of(fromEcs(top, origin)));
        } catch (Malformed e) {
            out.accept(malformed(e.getMessage(), origin, bytes, offset, length));
        }
    }

    private void emitItems(List<Bag> items, byte[] bytes, int offset, int length, RecordOrigin origin, Long kafkaTimestamp, Consumer<ParsedRecord> out) {
        for (int i = 0; i < items.size(); i++) {
            Bag item = items.get(i);
            try {
                if (item.error != null) {
                    throw new Malformed(item.error);
                }
                out.accept(ParsedRecord.of(fromRaw(item, origin, kafkaTimestamp)));
            } catch (Malformed e) {
                out.accept(ParsedRecord.of(DeadLetters.malformedItem("EventList item " + i + ": " + e.getMessage(),
                        origin, i, bytes, offset, length)));
            }
        }
    }

    private static ParsedRecord malformed(String detail, RecordOrigin origin, byte[] bytes, int offset, int length) {
        return ParsedRecord.of(DeadLetters.malformed(detail, origin, bytes, offset, length));
    }

    private static final byte[][] PAYLOAD_NAMES = {
        "requestObject".getBytes(StandardCharsets.US_ASCII), "responseObject".getBytes(StandardCharsets.US_ASCII)};

    /**
     * Jackson's message, unless the error lies at or after a payload's name: then the message may
     * quote a token of the payload (a secret's value), so only the position is given.
     */
    private static String jsonError(JsonParseException e, byte[] bytes, int offset, int length) {
        JsonLocation at = e.getLocation();
        long errorAt = at == null ? -1 : at.getByteOffset();
        long mention = -1;
        for (byte[] name : PAYLOAD_NAMES) {
            long i = indexOf(bytes, offset, length, name);
            if (i >= 0 && (mention < 0 || i < mention)) {
                mention = i;
            }
        }
        if (mention >= 0 && (errorAt < 0 || errorAt >= mention)) {
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return "syntax error" + where + " (message withheld: it may quote requestObject/responseObject)";
        }
        return firstLine(e.getOriginalMessage());
    }

    /** Index of {@code name} in the slice, relative to {@code offset}; -1 if absent. */
    private static long indexOf(byte[] bytes, int offset, int length, byte[] name) {
        outer:
        for (int i = 0; i + name.length <= length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (bytes[offset + i + j] != name[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---------------------------------------------------------------- mapping to the ECS view

    private static AuditEvent fromRaw(Bag b, RecordOrigin origin, Long kafkaTimestamp) {
        AuditEvent e = new AuditEvent();
        e.dataset = new String[] {DATASET};
        e.action = b.values(RAW_VERB);
        e.resource = b.values(RAW_RESOURCE);
        e.secretName = b.values(RAW_NAME);
        e.namespace = b.values(RAW_NAMESPACE);
        e.userName = b.values(RAW_USERNAME);
        e.auditUserName = e.userName;
        e.sourceIp = canonicalIps(b.values(RAW_SOURCE_IPS), "sourceIPs");
        e.userAgent = b.values(RAW_USER_AGENT);
        e.decision = b.values(RAW_DECISION);
        e.auditId = first(b.values(RAW_AUDIT_ID));
        Long recorded = time(b, RAW_RECEIVED, RAW_TIMESTAMP, RAW_STAGE_TIMESTAMP);
        if (kafkaTimestamp != null) {
            e.timestamp = kafkaTimestamp;
        } else {
            e.timestamp = required(recorded, RAW_RECEIVED, RAW_TIMESTAMP, RAW_STAGE_TIMESTAMP);
        }
        e.origin = origin;
        return e;
    }

    private static AuditEvent fromEcs(Bag b, RecordOrigin origin) {
        AuditEvent e = new AuditEvent();
        e.dataset = b.values(ECS_DATASET);
        e.action = b.values(ECS_ACTION);
        e.resource = b.values(ECS_RESOURCE);
        e.secretName = b.values(ECS_NAME);
        e.namespace = b.values(ECS_NAMESPACE);
        e.userName = b.values(ECS_USER_NAME);
        e.auditUserName = b.values(ECS_AUDIT_USERNAME);
        e.sourceIp = canonicalIps(b.values(ECS_SOURCE_IP), "source.ip");
        e.userAgent = b.values(ECS_USER_AGENT);
        e.decision = b.values(ECS_DECISION);
        e.auditId = first(b.values(ECS_AUDIT_ID));
        e.timestamp = required(time(b, ECS_INGESTED, ECS_TIMESTAMP), ECS_INGESTED, ECS_TIMESTAMP);
        e.origin = origin;
        return e;
    }

    /**
     * The first present field of {@code ids} decides, null if none is present. Every present field
     * must be a time (Elasticsearch refuses a document with an unparsable date in any of them).
     */
    private static Long time(Bag b, int... ids) {
        Long decided = null;
        for (int id : ids) {
            Object v = b.raw(id);
            if (v == null) {
                continue;
            }
            long t = singleTime(id, v);
            if (decided == null) {
                decided = t;
            }
        }
        return decided;
    }

    private static long required(Long time, int... ids) {
        if (time != null) {
            return time;
        }
        StringBuilder names = new StringBuilder();
        for (int id : ids) {
            names.append(names.length() == 0 ? "" : ", ").append(FIELD_NAMES[id]);
        }
        throw new Malformed("no event time (none of " + names + ")");
    }

    private static long singleTime(int id, Object v) {
        if (v instanceof List) {
            List<?> list = (List<?>) v;
            long first = singleTime(id, list.get(0));
            for (Object other : list) {
                if (singleTime(id, other) != first) {
                    throw new Malformed(FIELD_NAMES[id] + " has several values");
                }
            }
            return first;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        try {
            return EventTimes.parse((String) v);
        } catch (IllegalArgumentException ex) {
            throw new Malformed(FIELD_NAMES[id] + ": " + ex.getMessage());
        }
    }

    private static String[] canonicalIps(String[] values, String field) {
        if (values == null) {
            return null;
        }
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            try {
                out[i] = IpAddresses.canonical(values[i]);
            } catch (IllegalArgumentException ex) {
                throw new Malformed(field + ": " + ex.getMessage());
            }
        }
        return out;
    }

    private static String first(String[] values) {
        return values == null ? null : values[0];
    }

    // ---------------------------------------------------------------- streaming walk

    /**
     * Reads the members of an object whose START_OBJECT was just consumed. Returns the parsed
     * items of a top-level {@code items} array (EventList), else null.
     */
    private List<Bag> readObject(JsonParser p, Node node, Bag bag, boolean top) throws IOException {
        List<Bag> itemBags = null;
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
            Node child = items ? null : node.resolve(key);
            if (child != null || items) {
                if (seen == null) {
                    seen = new String[8];
                }
                for (int i = 0; i < seenCount; i++) {
                    if (seen[i].equals(key)) {
                        throw new Malformed("duplicate key '" + key + "'");
                    }
                }
                if (seenCount == seen.length) {
                    seen = java.util.Arrays.copyOf(seen, seenCount * 2);
                }
                seen[seenCount++] = key;
            }
            if (items && value == JsonToken.START_ARRAY) {
                itemBags = readItems(p);
                continue;
            }
            if (child == null) {
                p.skipChildren();
                continue;
            }
            readValue(p, child, bag, value, key);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new Malformed("unexpected token " + t);
        }
        return itemBags;
    }

    private List<Bag> readItems(JsonParser p) throws IOException {
        List<Bag> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            Bag item = new Bag();
            if (t == JsonToken.START_OBJECT) {
                try {
                    readObject(p, RAW_ITEM_ROOT, item, false);
                } catch (Malformed e) {
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

    /** After a Malformed thrown inside an item, move the parser past that item's END_OBJECT. */
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

    private void readValue(JsonParser p, Node node, Bag bag, JsonToken t, String key) throws IOException {
        switch (t) {
            case START_OBJECT:
                if (node.children == null) {
                    bag.fail(node, fieldName(node, key) + ": expected a value, found an object");
                    p.skipChildren();
                    return;
                }
                readObject(p, node, bag, false);
                return;
            case START_ARRAY:
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    readValue(p, node, bag, e, key);
                }
                return;
            case VALUE_NULL:
                return;
            case VALUE_STRING:
                if (isLeaf(node, bag, key, "a string")) {
                    bag.add(node.field, p.getText());
                }
                return;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                if (!isLeaf(node, bag, key, "a number")) {
                    return;
                }
                if (!IS_TIME[node.field]) {
                    bag.fail(node, FIELD_NAMES[node.field] + ": expected a string, found a number");
                    return;
                }
                try {
                    bag.add(node.field, t == JsonToken.VALUE_NUMBER_INT ? integerMillis(p, node) : floatMillis(p, node));
                } catch (Malformed bad) {
                    bag.fail(node, bad.getMessage());
                }
                return;
            case VALUE_TRUE:
            case VALUE_FALSE:
                if (isLeaf(node, bag, key, "a boolean")) {
                    bag.fail(node, FIELD_NAMES[node.field] + ": expected a string, found a boolean");
                }
                return;
            default:
                throw new Malformed("unexpected token " + t);
        }
    }

    private static long integerMillis(JsonParser p, Node node) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new Malformed(FIELD_NAMES[node.field] + ": timestamp out of range");
        }
        return p.getLongValue();
    }

    private static long floatMillis(JsonParser p, Node node) throws IOException {
        try {
            return EventTimes.fromNumber(p.getDoubleValue());
        } catch (IllegalArgumentException e) {
            throw new Malformed(FIELD_NAMES[node.field] + ": " + e.getMessage());
        }
    }

    /**
     * Whether a scalar may sit at {@code node}; if not, every field below the node is marked
     * wrong-typed. A type error only makes the record malformed if its shape reads that field.
     */
    private static boolean isLeaf(Node node, Bag bag, String key, String found) {
        if (node.field < 0) {
            bag.fail(node, fieldName(node, key) + ": expected an object, found " + found);
            return false;
        }
        return true;
    }

    private static String fieldName(Node node, String key) {
        return node.field >= 0 ? FIELD_NAMES[node.field] : key;
    }

    /** A node of the trie of field paths. */
    private static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;
        Map<String, Node> children;
        int field = -1;
        /** The field ids at or below this node. */
        int[] subtree;

        int[] subtree() {
            if (subtree == null) {
                java.util.List<Integer> ids = new ArrayList<>();
                collect(ids);
                subtree = ids.stream().mapToInt(Integer::intValue).toArray();
            }
            return subtree;
        }

        private void collect(java.util.List<Integer> ids) {
            if (field >= 0) {
                ids.add(field);
            }
            if (children != null) {
                children.values().forEach(c -> c.collect(ids));
            }
        }

        Node path(String... segments) {
            Node n = this;
            for (String s : segments) {
                if (n.children == null) {
                    n.children = new HashMap<>();
                }
                n = n.children.computeIfAbsent(s, k -> new Node());
            }
            return n;
        }

        /** A key matches literally first (raw annotation keys hold dots), else as a dotted path. */
        Node resolve(String key) {
            if (children == null) {
                return null;
            }
            Node literal = children.get(key);
            if (literal != null || key.indexOf('.') < 0) {
                return literal;
            }
            Node n = this;
            int from = 0;
            while (n != null) {
                int dot = key.indexOf('.', from);
                String segment = dot < 0 ? key.substring(from) : key.substring(from, dot);
                n = n.children == null ? null : n.children.get(segment);
                if (dot < 0) {
                    return n;
                }
                from = dot + 1;
            }
            return null;
        }
    }

    /** Values collected per field id: null, a single value, or a list of them. */
    private static final class Bag {
        private final Object[] values = new Object[FIELD_COUNT];
        /** Type errors per field, raised only when the record's shape reads the field. */
        private String[] errors;
        String error;

        void fail(Node node, String message) {
            if (errors == null) {
                errors = new String[FIELD_COUNT];
            }
            for (int id : node.subtree()) {
                if (errors[id] == null) {
                    errors[id] = message;
                }
            }
        }

        private void check(int id) {
            if (errors != null && errors[id] != null) {
                throw new Malformed(errors[id]);
            }
        }

        @SuppressWarnings("unchecked")
        void add(int id, Object v) {
            Object cur = values[id];
            if (cur == null) {
                values[id] = v;
            } else if (cur instanceof ArrayList) {
                ((ArrayList<Object>) cur).add(v);
            } else {
                ArrayList<Object> list = new ArrayList<>(4);
                list.add(cur);
                list.add(v);
                values[id] = list;
            }
        }

        Object raw(int id) {
            check(id);
            return values[id];
        }

        /** A single string value, or null (also when absent, multi-valued or wrong-typed). */
        String single(int id) {
            Object v = values[id];
            return v instanceof String && (errors == null || errors[id] == null) ? (String) v : null;
        }

        String[] values(int id) {
            check(id);
            Object v = values[id];
            if (v == null) {
                return null;
            }
            if (v instanceof String) {
                return new String[] {(String) v};
            }
            if (v instanceof List) {
                List<?> list = (List<?>) v;
                String[] out = new String[list.size()];
                for (int i = 0; i < out.length; i++) {
                    Object o = list.get(i);
                    if (!(o instanceof String)) {
                        throw new Malformed(FIELD_NAMES[id] + ": expected a string, found a number");
                    }
                    out[i] = (String) o;
                }
                return out;
            }
            throw new Malformed(FIELD_NAMES[id] + ": expected a string, found a number");
        }
    }

    /** A malformed record; caught within this class and turned into a dead letter. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
