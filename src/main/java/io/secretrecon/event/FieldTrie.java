package io.secretrecon.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paths of the {@link AuditField}s as a trie of member names, so that the
 * {@link AuditRecordWalker} decides per member, with one map lookup, whether to descend, to
 * collect a value or to skip the member unread. Built once; immutable and shared afterwards.
 */
final class FieldTrie {

    /** The top level of a record: ECS and raw fields, since the shape is known only at the end. */
    static final Node RECORD = new Node();
    /** An EventList item: a raw audit event. */
    static final Node RAW_ITEM = new Node();

    static {
        for (AuditField f : AuditField.values()) {
            RECORD.path(f.path).field = f;
            if (!f.ecs) {
                RAW_ITEM.path(f.path).field = f;
            }
        }
        RECORD.freeze();
        RAW_ITEM.freeze();
    }

    private FieldTrie() {}

    /** A node of the trie: an object the walker descends into, a field, or both. */
    static final class Node {
        private Map<String, Node> children;
        /** The field whose value sits here, or null. */
        AuditField field;
        /** The fields at or below this node; a wrong type here makes all of them wrong. */
        AuditField[] subtree;
        /**
         * The children's keys as ASCII bytes, and the children, for {@link #resolveLiteral}: at
         * the slot {@link #slot} gives the key, a table without collisions (or null: a linear
         * search of the arrays, should no table up to {@link #MAX_SLOTS} be free of them).
         */
        private byte[][] childKeys;
        private Node[] childNodes;
        private byte[][] slotKeys;
        private Node[] slotNodes;

        /** Whether the walker descends into an object here. */
        boolean hasChildren() {
            return children != null;
        }

        private Node path(String... segments) {
            Node n = this;
            for (String s : segments) {
                if (n.children == null) {
                    n.children = new HashMap<>();
                }
                n = n.children.computeIfAbsent(s, k -> new Node());
            }
            return n;
        }

        /** Computes every subtree eagerly: the nodes are shared between threads afterwards. */
        private void freeze() {
            List<AuditField> ids = new ArrayList<>();
            collect(ids);
            subtree = ids.toArray(new AuditField[0]);
            if (children != null) {
                childKeys = new byte[children.size()][];
                childNodes = new Node[children.size()];
                int i = 0;
                for (Map.Entry<String, Node> e : children.entrySet()) {
                    childKeys[i] = e.getKey().getBytes(StandardCharsets.US_ASCII);
                    childNodes[i++] = e.getValue();
                }
                for (int size = Integer.highestOneBit(childKeys.length) * 2; size <= MAX_SLOTS && slotKeys == null; size *= 2) {
                    slotTable(size);
                }
                children.values().forEach(Node::freeze);
            }
        }

        private static final int MAX_SLOTS = 1024;

        /** Fills {@link #slotKeys} with a table of {@code size} slots, unless two keys share a slot. */
        private void slotTable(int size) {
            byte[][] keys = new byte[size][];
            Node[] nodes = new Node[size];
            for (int k = 0; k < childKeys.length; k++) {
                byte[] key = childKeys[k];
                int at = key.length == 0 ? 0 : slot(key, 0, key.length, size - 1);
                if (keys[at] != null) {
                    return;
                }
                keys[at] = key;
                nodes[at] = childNodes[k];
            }
            slotKeys = keys;
            slotNodes = nodes;
        }

        /** The slot of the key {@code b[from, to)} (not empty) in a table of {@code mask + 1} slots. */
        private static int slot(byte[] b, int from, int to, int mask) {
            int h = (to - from) * 0x9E3779B1 + b[from] * 31 + b[to - 1];
            return (h ^ (h >>> 15)) & mask;
        }

        private void collect(List<AuditField> ids) {
            if (field != null) {
                ids.add(field);
            }
            if (children != null) {
                children.values().forEach(c -> c.collect(ids));
            }
        }

        /**
         * The child whose key is literally the bytes {@code b[from, to)} (ASCII, no escapes), or
         * null; unlike {@link #resolve(String)}, no dotted path is tried.
         */
        Node resolveLiteral(byte[] b, int from, int to) {
            byte[][] keys = childKeys;
            if (keys == null) {
                return null;
            }
            int len = to - from;
            byte[][] slots = slotKeys;
            if (slots != null) {
                int at = len == 0 ? 0 : slot(b, from, to, slots.length - 1);
                byte[] key = slots[at];
                return key != null && key.length == len && sameBytes(key, b, from, len) ? slotNodes[at] : null;
            }
            for (int k = 0; k < keys.length; k++) {
                byte[] key = keys[k];
                if (key.length == len && sameBytes(key, b, from, len)) {
                    return childNodes[k];
                }
            }
            return null;
        }

        /** A plain loop: member keys are short, where {@code Arrays.equals} costs more to set up than to run. */
        private static boolean sameBytes(byte[] key, byte[] b, int from, int len) {
            for (int i = 0; i < len; i++) {
                if (key[i] != b[from + i]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The child for a member key, or null if no field lies below it. A key matches literally
         * first (raw annotation keys hold dots), else as a dotted path of segments (ECS documents
         * may write {@code "kubernetes.audit.objectRef": {...}} or any other split).
         */
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
}
