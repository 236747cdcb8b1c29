package io.secretrecon.rule.exceptions;

import io.secretrecon.event.IpAddresses;
import io.secretrecon.rule.LikePattern;
import io.secretrecon.rule.SecretGetRule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An exception ready to match: it drops a kept event when the event's time t is in
 * [effective, expires), the decision condition (if any) holds, and any value of the field passes
 * the operator's test. {@code is} and {@code is one of} on {@code source.ip} compare canonical
 * forms ({@code 0:0:0:0:0:0:0:1} is {@code ::1}).
 */
public final class CompiledException {

    private final ExceptionEntry entry;
    private final ExceptionField field;
    private final boolean allowedOnly;
    private final Predicate<String> test;

    private CompiledException(ExceptionEntry entry, ExceptionField field, boolean allowedOnly, Predicate<String> test) {
        this.entry = entry;
        this.field = field;
        this.allowedOnly = allowedOnly;
        this.test = test;
    }

    /**
     * @throws IllegalArgumentException if the entry's field, operator, values or decision are not
     *     valid together (the message says why)
     */
    public static CompiledException of(ExceptionEntry e) {
        ExceptionField field = ExceptionField.byName(e.field);
        if (field == null) {
            List<String> names = new ArrayList<>();
            for (ExceptionField f : ExceptionField.values()) {
                names.add(f.ecsName());
            }
            throw new IllegalArgumentException("unknown field '" + shown(e.field) + "' (fields: " + String.join(", ", names) + ")");
        }
        ExceptionOperator op = ExceptionOperator.byText(e.operator);
        if (op == null) {
            throw new IllegalArgumentException("unknown operator '" + shown(e.operator)
                    + "' (operators: is, is one of, matches, ip in cidr)");
        }
        if (e.values == null || e.values.length == 0) {
            throw new IllegalArgumentException("'values' must not be empty");
        }
        if ((op == ExceptionOperator.IS || op == ExceptionOperator.MATCHES) && e.values.length != 1) {
            throw new IllegalArgumentException("'" + op.text() + "' takes exactly one value, got " + e.values.length);
        }
        if (e.decision != null && !SecretGetRule.ALLOW.equals(e.decision)) {
            throw new IllegalArgumentException("'decision' may only be allow, got '" + shown(e.decision) + "'");
        }
        if (op == ExceptionOperator.IP_IN_CIDR && field != ExceptionField.SOURCE_IP) {
            throw new IllegalArgumentException("'ip in cidr' applies only to source.ip");
        }
        return new CompiledException(e, field, e.decision != null, test(op, field, e.values));
    }

    private static Predicate<String> test(ExceptionOperator op, ExceptionField field, String[] values) {
        switch (op) {
            case IS:
            case IS_ONE_OF:
                Set<String> set = new HashSet<>();
                for (String v : values) {
                    set.add(field == ExceptionField.SOURCE_IP ? ip(v) : v);
                }
                if (set.size() == 1) {
                    String only = set.iterator().next();
                    return only::equals;
                }
                return set::contains;
            case MATCHES:
                return new LikePattern(values[0])::matches;
            case IP_IN_CIDR:
                List<Cidr> blocks = new ArrayList<>();
                for (String v : values) {
                    try {
                        blocks.add(Cidr.parse(v));
                    } catch (IllegalArgumentException invalid) {
                        throw new IllegalArgumentException("not a CIDR block: " + invalid.getMessage());
                    }
                }
                return ip -> {
                    for (Cidr c : blocks) {
                        if (c.contains(ip)) {
                            return true;
                        }
                    }
                    return false;
                };
            default:
                throw new IllegalStateException("unknown operator " + op);
        }
    }

    private static String ip(String v) {
        try {
            return IpAddresses.canonical(v);
        } catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException("a source.ip value is " + invalid.getMessage());
        }
    }

    private static String shown(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    public String id() {
        return entry.id;
    }

    public ExceptionEntry entry() {
        return entry;
    }

    /** Whether the exception drops this kept event. */
    public boolean appliesTo(ExceptionSubject s) {
        long t = s.time();
        if (t < entry.effective || t >= entry.expires) {
            return false;
        }
        if (allowedOnly && !s.decisionIsAllow()) {
            return false;
        }
        return s.anyValue(field, test);
    }

    /** Whether the exception can still drop an event at or after {@code time}. */
    public boolean inForceAt(long time) {
        return time >= entry.effective && time < entry.expires;
    }
}
