package io.secretrecon.event;

import java.util.ArrayList;
import java.util.List;

/**
 * The values the {@link AuditRecordWalker} collected from one record (or one EventList item),
 * per {@link AuditField}: nothing, a single value, or a list of them in document order. Strings
 * and times (epoch milliseconds, from numbers) only; nulls are not collected.
 *
 * <p>A wrong type is recorded per field instead of failing the record at once: it only makes
 * the record malformed if the record's shape reads that field ({@link #values}, {@link #time}).
 */
final class FieldValues {

    private final Object[] values = new Object[AuditField.COUNT];
    /** The first type error per field, or null. */
    private String[] errors;
    /** Why an EventList item could not be read at all, or null. */
    String error;

    /** Marks every field at or below {@code node} as wrong-typed (first message wins). */
    void fail(FieldTrie.Node node, String message) {
        if (errors == null) {
            errors = new String[AuditField.COUNT];
        }
        for (AuditField f : node.subtree) {
            if (errors[f.ordinal()] == null) {
                errors[f.ordinal()] = message;
            }
        }
    }

    @SuppressWarnings("unchecked")
    void add(AuditField f, Object v) {
        int id = f.ordinal();
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

    private void check(AuditField f) {
        if (errors != null && errors[f.ordinal()] != null) {
            throw new MalformedRecordException(errors[f.ordinal()]);
        }
    }

    /** A single string value, or null (also when absent, multi-valued or wrong-typed): for shape detection. */
    String single(AuditField f) {
        Object v = values[f.ordinal()];
        return v instanceof String && (errors == null || errors[f.ordinal()] == null) ? (String) v : null;
    }

    /** The string values in document order, null if none; malformed if wrong-typed. */
    String[] values(AuditField f) {
        check(f);
        Object v = values[f.ordinal()];
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
                    throw new MalformedRecordException(f.label + ": expected a string, found a number");
                }
                out[i] = (String) o;
            }
            return out;
        }
        throw new MalformedRecordException(f.label + ": expected a string, found a number");
    }

    /** The first value, or null. */
    String first(AuditField f) {
        String[] v = values(f);
        return v == null ? null : v[0];
    }

    /** The values as canonical IP addresses ({@link IpAddresses}); malformed if one is not an IP. */
    String[] ips(AuditField f, String label) {
        String[] v = values(f);
        if (v == null) {
            return null;
        }
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            try {
                out[i] = IpAddresses.canonical(v[i]);
            } catch (IllegalArgumentException ex) {
                throw new MalformedRecordException(label + ": " + ex.getMessage());
            }
        }
        return out;
    }

    /**
     * The event time from the first present field of {@code fields}, or null if none is present.
     * Every present field must be a time (Elasticsearch refuses a document with an unparsable
     * date in any of them), and a repeated one must repeat the same time.
     */
    Long time(AuditField... fields) {
        Long decided = null;
        for (AuditField f : fields) {
            check(f);
            Object v = values[f.ordinal()];
            if (v == null) {
                continue;
            }
            long t = singleTime(f, v);
            if (decided == null) {
                decided = t;
            }
        }
        return decided;
    }

    /** {@code time} from {@link #time}, malformed if it is null (none of the fields is present). */
    static long required(Long time, AuditField... fields) {
        if (time != null) {
            return time;
        }
        StringBuilder names = new StringBuilder();
        for (AuditField f : fields) {
            names.append(names.length() == 0 ? "" : ", ").append(f.label);
        }
        throw new MalformedRecordException("no event time (none of " + names + ")");
    }

    private static long singleTime(AuditField f, Object v) {
        if (v instanceof List) {
            List<?> list = (List<?>) v;
            long first = singleTime(f, list.get(0));
            for (Object other : list) {
                if (singleTime(f, other) != first) {
                    throw new MalformedRecordException(f.label + " has several values");
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
            throw new MalformedRecordException(f.label + ": " + ex.getMessage());
        }
    }
}
