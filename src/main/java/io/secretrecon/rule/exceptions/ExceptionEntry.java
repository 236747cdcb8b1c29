package io.secretrecon.rule.exceptions;

import java.util.Arrays;
import java.util.Objects;

/**
 * One rule exception as it is kept in the filter's broadcast state (and so in checkpoints and
 * savepoints): a valid entry, as {@link ExceptionEntries#parse} accepted it. A POJO, so that its
 * layout can evolve with Flink's POJO serializer; {@link CompiledException} is its matching form.
 */
public class ExceptionEntry {

    /** Never expires. */
    public static final long NEVER = Long.MAX_VALUE;

    public String id;
    /** The ECS name of the field ({@link ExceptionField#ecsName()}). */
    public String field;
    /** As written: {@code is}, {@code is one of}, {@code matches}, {@code ip in cidr}. */
    public String operator;
    public String[] values;
    /** {@code allow}: the exception drops only allowed reads; null: any decision. */
    public String decision;
    /** Epoch ms: applies to events at or after this time. */
    public long effective;
    /** Epoch ms: applies to events before this time; {@link #NEVER} when it does not expire. */
    public long expires = NEVER;
    public String author;
    public String comment;

    public ExceptionEntry() {}

    /** Same test, decision, expiry, author and comment; the effective time is not compared. */
    public boolean sameDefinition(ExceptionEntry o) {
        return o != null && Objects.equals(id, o.id) && Objects.equals(field, o.field)
                && Objects.equals(operator, o.operator) && Arrays.equals(values, o.values)
                && Objects.equals(decision, o.decision) && expires == o.expires
                && Objects.equals(author, o.author) && Objects.equals(comment, o.comment);
    }

    public ExceptionEntry withEffective(long time) {
        ExceptionEntry e = copy();
        e.effective = time;
        return e;
    }

    public ExceptionEntry copy() {
        ExceptionEntry e = new ExceptionEntry();
        e.id = id;
        e.field = field;
        e.operator = operator;
        e.values = values == null ? null : values.clone();
        e.decision = decision;
        e.effective = effective;
        e.expires = expires;
        e.author = author;
        e.comment = comment;
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExceptionEntry && sameDefinition((ExceptionEntry) o) && effective == ((ExceptionEntry) o).effective;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, field, operator, Arrays.hashCode(values), decision, effective, expires);
    }

    /** One line for logs and listings: {@code helm-ci: user.name is one of [a, b] (allow only)}. */
    public String describe() {
        return id + ": " + field + " " + operator + " " + Arrays.toString(values)
                + (decision != null ? " (" + decision + " only)" : "");
    }

    @Override
    public String toString() {
        return describe();
    }
}
