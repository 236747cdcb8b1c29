package io.secretrecon.rule;

import io.secretrecon.event.AuditEvent;

import java.io.Serializable;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The WHERE clause of the rule with ES|QL's three-valued logic (SPEC §1, §3):
 *
 * <pre>
 * event.dataset == "kubernetes.audit_logs" AND event.action == "get"
 *   AND kubernetes.audit.objectRef.resource == "secrets"
 *   AND source.ip IS NOT NULL AND user.name IS NOT NULL
 *   AND NOT source.ip IN (excluded ips) AND NOT user.name IN (excluded user names)
 *   AND NOT kubernetes.audit.objectRef.name LIKE pattern
 *   AND NOT kubernetes.audit.user.username IN (excluded usernames)
 * </pre>
 *
 * A test on a null field is null and a test on a multi-valued field is null, and the WHERE keeps
 * only true. Values are compared as Elasticsearch's doc values see them: an array is the set of
 * its distinct non-null values, so {@code ["get", "get"]} is the single value {@code get}. An
 * exclusion list that is empty still drops null and multi-valued fields ({@code x IN ()} is false
 * for a value, null for null).
 *
 * <p>A kept event with several user agents is in each agent's group, so it yields one
 * {@link SecretGet} per distinct agent, for at most {@link SecretGetBounds#maxUserAgents} agents
 * (the first in String order; the rest are counted, not grouped).
 *
 * <p>The tests compare whole values; the {@link SecretGet} then holds every string cut to
 * {@link SecretGetBounds#maxFieldLength} ({@link SecretGetBounds#cut}), so that nothing after
 * the rule holds an unbounded string.
 *
 * <p>With the {@code quiet} profile, one more clause follows: {@link QuietProfile}.
 */
public final class SecretGetRule implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DATASET = "kubernetes.audit_logs";
    public static final String ACTION = "get";
    public static final String RESOURCE = "secrets";
    /** The authorization decision of a successful request. */
    public static final String ALLOW = "allow";

    private final RuleSettings settings;
    /** The {@code quiet} profile's clause; null for the {@code seed} profile. */
    private final QuietProfile quiet;

    public SecretGetRule(RuleSettings settings) {
        this(settings, null);
    }

    /** @param quiet the {@code quiet} profile's clause, or null for exactly the seed rule */
    public SecretGetRule(RuleSettings settings, QuietProfile quiet) {
        this.settings = settings;
        this.quiet = quiet;
    }

    /** Evaluates the WHERE clause; kept events go to {@code out}, one per user agent. */
    public Verdict evaluate(AuditEvent e, Consumer<SecretGet> out) {
        return evaluate(e, out, dropped -> { });
    }

    /**
     * Like {@link #evaluate(AuditEvent, Consumer)}; {@code droppedUserAgents} is told how many
     * distinct user agents of a kept event were over {@link SecretGetBounds#maxUserAgents} (only
     * when there were any).
     */
    public Verdict evaluate(AuditEvent e, Consumer<SecretGet> out, IntConsumer droppedUserAgents) {
        if (!isSingle(e.dataset, DATASET) || !isSingle(e.action, ACTION) || !isSingle(e.resource, RESOURCE)) {
            return Verdict.NOT_SECRET_GET;
        }
        String[] ips = sourceIps(e.sourceIp);
        if (ips == null || e.userName == null) {
            return Verdict.MISSING_CLIENT;
        }
        String ip = single(ips);
        if (ip == null) {
            return Verdict.NULL_OR_MULTI_VALUED;
        }
        if (settings.excludedSourceIps().contains(ip)) {
            return Verdict.EXCLUDED_SOURCE_IP;
        }
        String userName = single(e.userName);
        if (userName == null) {
            return Verdict.NULL_OR_MULTI_VALUED;
        }
        if (settings.excludedUserNames().contains(userName)) {
            return Verdict.EXCLUDED_USER_NAME;
        }
        String secretName = single(e.secretName);
        if (secretName == null) {
            return Verdict.NULL_OR_MULTI_VALUED;
        }
        if (settings.excludedSecretNamePattern().matches(secretName)) {
            return Verdict.EXCLUDED_SECRET_NAME;
        }
        String auditUserName = single(e.auditUserName);
        if (auditUserName == null) {
            return Verdict.NULL_OR_MULTI_VALUED;
        }
        if (settings.excludedAuditUsernames().contains(auditUserName)) {
            return Verdict.EXCLUDED_AUDIT_USERNAME;
        }
        if (quiet != null && quiet.drops(userName, e.decision)) {
            return Verdict.ALLOWED_SYSTEM_READ;
        }
        SecretGetBounds bounds = settings.bounds();
        userName = bounds.cut(userName);
        auditUserName = bounds.cut(auditUserName);
        secretName = bounds.cut(secretName);
        String auditId = bounds.cut(e.auditId);
        String[] namespaces = distinct(bounds.cut(e.namespace));
        String[] decisions = distinct(bounds.cut(e.decision));
        String[] agents = distinct(bounds.cut(e.userAgent));
        if (agents == null) {
            out.accept(secretGet(e, userName, auditUserName, ip, null, secretName, namespaces, decisions, auditId));
        } else {
            int taken = Math.min(agents.length, bounds.maxUserAgents());
            for (int i = 0; i < taken; i++) {
                out.accept(secretGet(e, userName, auditUserName, ip, agents[i], secretName, namespaces, decisions, auditId));
            }
            if (taken < agents.length) {
                droppedUserAgents.accept(agents.length - taken);
            }
        }
        return Verdict.KEPT;
    }

    private String[] sourceIps(String[] ips) {
        if (ips == null) {
            return null;
        }
        if (settings.sourceIpMode() == SourceIpMode.REMOTE) {
            return new String[] {ips[ips.length - 1]};
        }
        return ips;
    }

    private static SecretGet secretGet(AuditEvent e, String userName, String auditUserName, String ip, String agent,
            String secretName, String[] namespaces, String[] decisions, String auditId) {
        SecretGet g = new SecretGet();
        g.userName = userName;
        g.auditUserName = auditUserName;
        g.sourceIp = ip;
        g.userAgent = agent;
        g.secretName = secretName;
        g.namespaces = namespaces;
        g.decisions = decisions;
        g.auditId = auditId;
        g.timestamp = e.timestamp;
        g.origin = e.origin;
        return g;
    }

    private static boolean isSingle(String[] values, String expected) {
        String v = single(values);
        return v != null && v.equals(expected);
    }

    /** The value if the field holds exactly one distinct value, else null (null or multi-valued). */
    static String single(String[] values) {
        if (values == null) {
            return null;
        }
        String first = values[0];
        for (int i = 1; i < values.length; i++) {
            if (!values[i].equals(first)) {
                return null;
            }
        }
        return first;
    }

    /** Distinct values, sorted; null when there are none. */
    static String[] distinct(String[] values) {
        if (values == null) {
            return null;
        }
        if (values.length == 1) {
            return values;
        }
        String[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = 1;
        for (int i = 1; i < sorted.length; i++) {
            if (!sorted[i].equals(sorted[n - 1])) {
                sorted[n++] = sorted[i];
            }
        }
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }
}
