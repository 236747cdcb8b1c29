package io.secretrecon.rule;

import java.util.Objects;

/**
 * The rule's grouping key: (user.name, kubernetes.audit.user.username, source.ip,
 * user_agent.original). Only the user agent can be null; null is its own group, distinct from "".
 *
 * <p>Used as Flink's key: {@link #hashCode()} depends only on the four strings, so it is the same
 * in every JVM, as key-group assignment requires.
 */
public class Fingerprint {

    public String userName;
    public String auditUserName;
    public String sourceIp;
    public String userAgent;

    public Fingerprint() {}

    public Fingerprint(String userName, String auditUserName, String sourceIp, String userAgent) {
        this.userName = userName;
        this.auditUserName = auditUserName;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Fingerprint)) {
            return false;
        }
        Fingerprint that = (Fingerprint) o;
        return Objects.equals(userName, that.userName)
                && Objects.equals(auditUserName, that.auditUserName)
                && Objects.equals(sourceIp, that.sourceIp)
                && Objects.equals(userAgent, that.userAgent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userName, auditUserName, sourceIp, userAgent);
    }

    @Override
    public String toString() {
        return "(" + userName + ", " + auditUserName + ", " + sourceIp + ", " + userAgent + ")";
    }
}
