package io.secretrecon.rule.exceptions;

import io.secretrecon.rule.SecretGet;
import io.secretrecon.rule.SecretGetRule;

import java.util.List;
import java.util.function.Predicate;

/**
 * What exceptions test: one event the rule kept, through the rows it made (one per user agent).
 * Reusable: {@link #reset} points it at the next event, nothing is copied.
 *
 * <p>By then every field the rule tests is single-valued (a null or multi-valued one dropped
 * the event); {@code user_agent.original}, the namespace and the decision may hold several
 * values, and a test on them holds when any value passes, as in an Elasticsearch query (the form
 * Elastic's exceptions take). A null field holds no value, so no test on it holds.
 */
public final class ExceptionSubject {

    private List<SecretGet> rows;

    public ExceptionSubject reset(List<SecretGet> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a kept event has at least one row");
        }
        this.rows = rows;
        return this;
    }

    /** Event time, epoch ms. */
    public long time() {
        return rows.get(0).timestamp;
    }

    /** The decision is exactly {@code allow}: one distinct value, not null, no other. */
    public boolean decisionIsAllow() {
        String[] d = rows.get(0).decisions;
        return d != null && d.length == 1 && SecretGetRule.ALLOW.equals(d[0]);
    }

    /** Whether any value of {@code field} passes {@code test}. */
    public boolean anyValue(ExceptionField field, Predicate<String> test) {
        SecretGet g = rows.get(0);
        switch (field) {
            case EVENT_DATASET:
                return test.test(SecretGetRule.DATASET);
            case EVENT_ACTION:
                return test.test(SecretGetRule.ACTION);
            case RESOURCE:
                return test.test(SecretGetRule.RESOURCE);
            case SOURCE_IP:
                return test.test(g.sourceIp);
            case USER_NAME:
                return test.test(g.userName);
            case AUDIT_USER_NAME:
                return test.test(g.auditUserName);
            case SECRET_NAME:
                return test.test(g.secretName);
            case USER_AGENT:
                for (SecretGet row : rows) {
                    if (row.userAgent != null && test.test(row.userAgent)) {
                        return true;
                    }
                }
                return false;
            case NAMESPACE:
                return any(g.namespaces, test);
            case DECISION:
                return any(g.decisions, test);
            default:
                throw new IllegalStateException("unknown field " + field);
        }
    }

    private static boolean any(String[] values, Predicate<String> test) {
        if (values != null) {
            for (String v : values) {
                if (v != null && test.test(v)) {
                    return true;
                }
            }
        }
        return false;
    }
}
