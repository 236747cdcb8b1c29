package io.secretrecon.testutil;

import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;

import java.time.Duration;
import java.time.Instant;

/**
 * Builders that make detector scenarios read like prose:
 * {@code secretGet("alice", "db-password").at(T0.plus(2, MINUTES))}.
 */
public final class SecretGets {

    public static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");

    private SecretGets() {}

    public static Builder secretGet(String user, String secretName) {
        return new Builder(user, secretName);
    }

    public static Fingerprint fingerprintOf(String user) {
        return secretGet(user, "x").build().fingerprint();
    }

    public static Instant minutes(double m) {
        return T0.plus(Duration.ofMillis((long) (m * 60_000)));
    }

    /**
     * Builds one {@link SecretGet}. Unless {@link #auditId(String)} sets one, the audit id is
     * derived from the event itself ({@code user/namespace/secret@epoch-ms}), so it does not
     * depend on which tests ran before; events that must be told apart although they are equal
     * in these fields get explicit ids.
     */
    public static final class Builder {
        private final SecretGet g = new SecretGet();
        private boolean explicitAuditId;

        Builder(String user, String secretName) {
            g.userName = user;
            g.auditUserName = user;
            g.sourceIp = "198.51.100.7";
            g.userAgent = "kubectl/v1.31.2";
            g.secretName = secretName;
            g.namespaces = new String[] {"default"};
            g.decisions = new String[] {"allow"};
            g.timestamp = T0.toEpochMilli();
            g.origin = RecordOrigin.fileLine("test.log", 1);
        }

        public Builder from(String ip) {
            g.sourceIp = ip;
            return this;
        }

        public Builder agent(String agent) {
            g.userAgent = agent;
            return this;
        }

        public Builder in(String namespace) {
            g.namespaces = new String[] {namespace};
            return this;
        }

        public Builder forbidden() {
            g.decisions = new String[] {"forbid"};
            return this;
        }

        public Builder auditId(String id) {
            g.auditId = id;
            explicitAuditId = true;
            return this;
        }

        public SecretGet at(Instant t) {
            g.timestamp = t.toEpochMilli();
            return build();
        }

        public SecretGet build() {
            if (!explicitAuditId) {
                g.auditId = g.userName + "/" + String.join(",", g.namespaces) + "/" + g.secretName + "@" + g.timestamp;
            }
            return g;
        }
    }
}
