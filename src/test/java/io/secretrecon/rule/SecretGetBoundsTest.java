package io.secretrecon.rule;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bounds the rule puts on what it keeps (README, "Bounds"): field lengths, so that keys and
 * state hold bounded strings that an attacker can neither merge nor split, and user agents per
 * event, so that one event reaches a bounded number of fingerprints.
 */
class SecretGetBoundsTest {

    private static final SecretGetBounds B64 = new SecretGetBounds(64, 16);

    @Test
    void aValueUpToTheBoundIsKeptAsItIs() {
        String v = "x".repeat(64);
        assertThat(B64.cut(v)).isSameAs(v);
        assertThat(B64.cut("")).isEmpty();
        assertThat(B64.cut((String) null)).isNull();
    }

    @Test
    void aLongerValueIsCutToOneMoreThanTheBoundWithAHashOfTheWhole() {
        String v = "a".repeat(60) + "-tail-that-goes-on";
        String cut = B64.cut(v);
        assertThat(cut).hasSize(65).startsWith("a".repeat(48) + "~").matches(".*~[0-9a-f]{16}");
        assertThat(B64.cut(v)).as("the same value is always cut the same way").isEqualTo(cut);
    }

    @Test
    void longValuesThatDifferOnlyAfterTheCutStayDistinct() {
        Set<String> cuts = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            cuts.add(B64.cut("p".repeat(100) + i));
        }
        assertThat(cuts).hasSize(10_000);
        assertThat(B64.cut("p".repeat(100) + "\ud800")).isNotEqualTo(B64.cut("p".repeat(100) + "\udc00"));
    }

    @Test
    void noValueKeptAsItIsEqualsACutOne() {
        String longValue = "q".repeat(200);
        String cut = B64.cut(longValue);
        // the forgery an attacker would try: the cut form itself, which is one character too long to be kept
        assertThat(cut.length()).isGreaterThan(B64.maxFieldLength());
        assertThat(B64.cut(cut.substring(0, 64))).isNotEqualTo(cut);
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String key = "\ud83d\udd11";
        String v = "k".repeat(47) + key + "k".repeat(100); // the pair sits on the cut at 48
        String cut = B64.cut(v);
        assertThat(cut).hasSize(65).startsWith("k".repeat(47) + "~~");
        for (int i = 0; i < cut.length(); i++) {
            assertThat(Character.isSurrogate(cut.charAt(i))).isFalse();
        }
    }

    @Test
    void boundsBelowTheMinimumAreRefused() {
        assertThatThrownBy(() -> new SecretGetBounds(SecretGetBounds.MIN_FIELD_LENGTH - 1, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretGetBounds(64, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRuleTestsWholeValuesAndKeepsCutOnes() {
        SecretGetRule rule = new SecretGetRule(JobSettings.defaultRule());
        int max = Settings.DETECTOR_MAX_FIELD_LENGTH.defaultValue();
        String name = "n".repeat(max + 100);
        String agent = "a".repeat(max * 4);
        String user = "u".repeat(max + 1);
        AuditEvent e = event(name, user, agent);
        e.namespace = new String[] {"s".repeat(max * 2), "default"};
        e.decision = new String[] {"d".repeat(max + 1)};
        e.auditId = "i".repeat(max * 3);
        List<SecretGet> out = new ArrayList<>();

        assertThat(rule.evaluate(e, out::add)).isEqualTo(Verdict.KEPT);

        SecretGet g = out.get(0);
        for (String v : new String[] {g.userName, g.auditUserName, g.userAgent, g.secretName, g.decisions[0], g.auditId,
                g.namespaces[0], g.namespaces[1]}) {
            assertThat(v.length()).isLessThanOrEqualTo(max + 1);
        }
        assertThat(g.secretName).isEqualTo(rule(max).cut(name));
        assertThat(g.namespaces).containsExactly("default", rule(max).cut("s".repeat(max * 2)));

        AuditEvent helm = event("sh.helm.release.v1." + "x".repeat(max * 2), user, agent);
        assertThat(rule.evaluate(helm, x -> { })).as("the LIKE sees the whole name")
                .isEqualTo(Verdict.EXCLUDED_SECRET_NAME);
    }

    @Test
    void belowTheBoundsTheRuleKeepsTheSameStrings() {
        SecretGetRule rule = new SecretGetRule(JobSettings.defaultRule());
        AuditEvent e = event("db-password", "alice", "kubectl/v1.31.2");
        List<SecretGet> out = new ArrayList<>();
        rule.evaluate(e, out::add);
        assertThat(out.get(0).secretName).isSameAs(e.secretName[0]);
        assertThat(out.get(0).namespaces).isSameAs(e.namespace);
    }

    @Test
    void anEventJoinsTheGroupsOfAtMostSixteenUserAgentsTheFirstInStringOrder() {
        SecretGetRule rule = new SecretGetRule(JobSettings.defaultRule());
        String[] agents = new String[40];
        for (int i = 0; i < agents.length; i++) {
            agents[i] = String.format("agent-%02d", 39 - i);
        }
        AuditEvent e = event("db-password", "alice", "unused");
        e.userAgent = agents;
        List<SecretGet> out = new ArrayList<>();
        AtomicInteger dropped = new AtomicInteger();

        assertThat(rule.evaluate(e, out::add, dropped::addAndGet)).isEqualTo(Verdict.KEPT);

        assertThat(out).extracting(g -> g.userAgent).hasSize(16).isSorted().startsWith("agent-00").endsWith("agent-15");
        assertThat(dropped).hasValue(24);

        AtomicInteger none = new AtomicInteger();
        e.userAgent = new String[] {"k9s", "kubectl"};
        rule.evaluate(e, g -> { }, none::addAndGet);
        assertThat(none).as("told only when agents were dropped").hasValue(0);
    }

    private static SecretGetBounds rule(int max) {
        return new SecretGetBounds(max, 16);
    }

    private static AuditEvent event(String name, String user, String agent) {
        AuditEvent e = new AuditEvent();
        e.dataset = new String[] {"kubernetes.audit_logs"};
        e.action = new String[] {"get"};
        e.resource = new String[] {"secrets"};
        e.secretName = new String[] {name};
        e.namespace = new String[] {"payments"};
        e.userName = new String[] {user};
        e.auditUserName = new String[] {user};
        e.sourceIp = new String[] {"10.0.3.17"};
        e.userAgent = new String[] {agent};
        e.decision = new String[] {"allow"};
        e.auditId = "audit-1";
        e.timestamp = 1_700_000_000_000L;
        e.origin = RecordOrigin.fileLine("audit.log", 1);
        return e;
    }
}
