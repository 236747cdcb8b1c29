package io.secretrecon.rule;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code quiet} profile (SPEC §1): allowed reads by service accounts, nodes, the controller
 * manager and the scheduler are dropped; their denied reads, and everybody else's reads, count.
 */
class QuietProfileTest {

    private static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    private static final String CERT_MANAGER = "system:serviceaccount:cert-manager:cert-manager";
    private static final String KUBELET = "system:node:node-a";

    private static final SecretGetRule SEED = new SecretGetRule(JobSettings.defaultRule());
    private static final SecretGetRule QUIET = new SecretGetRule(JobSettings.defaultRule(),
            new QuietProfile(Settings.RULE_QUIET_USER_NAMES.defaultValue()));
    /** The seed rule without its own user-name exclusions, to see the quiet clause on the control plane. */
    private static final SecretGetRule QUIET_WITHOUT_SEED_EXCLUSIONS = new SecretGetRule(
            new RuleSettings(Settings.RULE_EXCLUDED_SOURCE_IPS.defaultValue(), List.of(),
                    Settings.RULE_EXCLUDED_SECRET_NAME_PATTERN.defaultValue(), List.of(), SourceIpMode.REMOTE),
            new QuietProfile(Settings.RULE_QUIET_USER_NAMES.defaultValue()));

    @Test
    void allowedReadsByServiceAccountsAndNodesAreDropped() {
        assertThat(QUIET.evaluate(read(CERT_MANAGER, "allow"), g -> { })).isEqualTo(Verdict.ALLOWED_SYSTEM_READ);
        assertThat(QUIET.evaluate(read(KUBELET, "allow"), g -> { })).isEqualTo(Verdict.ALLOWED_SYSTEM_READ);
        assertThat(QUIET.evaluate(read("system:serviceaccount:a:b", "allow", "allow"), g -> { }))
                .as("a repeated value is one value").isEqualTo(Verdict.ALLOWED_SYSTEM_READ);
    }

    @Test
    void theControlPlaneIsCoveredEvenWithoutTheSeedRulesOwnExclusion() {
        assertThat(QUIET.evaluate(read("system:kube-controller-manager", "allow"), g -> { }))
                .as("the seed clause comes first").isEqualTo(Verdict.EXCLUDED_USER_NAME);
        assertThat(QUIET_WITHOUT_SEED_EXCLUSIONS.evaluate(read("system:kube-controller-manager", "allow"), g -> { }))
                .isEqualTo(Verdict.ALLOWED_SYSTEM_READ);
        assertThat(QUIET_WITHOUT_SEED_EXCLUSIONS.evaluate(read("system:kube-scheduler", "allow"), g -> { }))
                .isEqualTo(Verdict.ALLOWED_SYSTEM_READ);
        assertThat(QUIET_WITHOUT_SEED_EXCLUSIONS.evaluate(read("system:kube-scheduler", "forbid"), g -> { }))
                .isEqualTo(Verdict.KEPT);
    }

    @Test
    void deniedNullAndMixedDecisionsStillCount() {
        assertThat(kept(QUIET, read(CERT_MANAGER, "forbid"))).isTrue();
        assertThat(kept(QUIET, read(KUBELET, "forbid"))).isTrue();
        assertThat(kept(QUIET, read(CERT_MANAGER))).as("a null decision is not allow").isTrue();
        assertThat(kept(QUIET, read(CERT_MANAGER, "allow", "forbid"))).as("allow and forbid is not allow").isTrue();
        assertThat(kept(QUIET, read(CERT_MANAGER, "Allow"))).as("case matters").isTrue();
    }

    @Test
    void peopleAndLookAlikesStillCount() {
        assertThat(kept(QUIET, read("alice@example.com", "allow"))).isTrue();
        assertThat(kept(QUIET, read("system:serviceaccounts:web", "allow"))).as("a group name, not an account").isTrue();
        assertThat(kept(QUIET, read("system:nodes", "allow"))).isTrue();
        assertThat(kept(QUIET, read("System:node:node-a", "allow"))).isTrue();
    }

    @Test
    void theSeedProfileIsExactlyTheSeedRule() {
        for (AuditEvent e : List.of(read(CERT_MANAGER, "allow"), read(KUBELET, "allow"), read(CERT_MANAGER, "forbid"),
                read("alice", "allow"))) {
            List<SecretGet> seed = new ArrayList<>();
            List<SecretGet> withNoProfile = new ArrayList<>();
            assertThat(SEED.evaluate(e, seed::add)).isEqualTo(Verdict.KEPT);
            assertThat(new SecretGetRule(JobSettings.defaultRule(), null).evaluate(e, withNoProfile::add)).isEqualTo(Verdict.KEPT);
            assertThat(withNoProfile).hasSameSizeAs(seed);
        }
    }

    @Test
    void thePatternsAreConfigurable() {
        SecretGetRule onlyNodes = new SecretGetRule(JobSettings.defaultRule(), new QuietProfile(List.of("system:node:*")));

        assertThat(kept(onlyNodes, read(CERT_MANAGER, "allow"))).isTrue();
        assertThat(kept(onlyNodes, read(KUBELET, "allow"))).isFalse();
    }

    private static boolean kept(SecretGetRule rule, AuditEvent e) {
        return rule.evaluate(e, g -> { }) == Verdict.KEPT;
    }

    private static AuditEvent read(String user, String... decisions) {
        AuditEvent e = new AuditEvent();
        e.dataset = new String[] {"kubernetes.audit_logs"};
        e.action = new String[] {"get"};
        e.resource = new String[] {"secrets"};
        e.secretName = new String[] {"tls-cert"};
        e.namespace = new String[] {"web"};
        e.userName = new String[] {user};
        e.auditUserName = new String[] {user};
        e.sourceIp = new String[] {"10.0.4.20"};
        e.userAgent = new String[] {"controller/v1.16"};
        e.decision = decisions.length == 0 ? null : decisions;
        e.auditId = "audit-1";
        e.timestamp = T0.toEpochMilli();
        e.origin = RecordOrigin.fileLine("audit.log", 1);
        return e;
    }
}
