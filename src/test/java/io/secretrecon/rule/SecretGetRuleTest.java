package io.secretrecon.rule;

import io.secretrecon.config.JobSettings;
import io.secretrecon.config.Settings;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.IpAddresses;
import io.secretrecon.event.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretGetRuleTest {

    private static final Instant T0 = Instant.parse("2025-03-04T06:22:18.819Z");
    private static final RecordOrigin ORIGIN = RecordOrigin.fileLine("kube-apiserver-audit.log", 42);
    private static final String ALICE = "alice@example.com";
    private static final String KUBECTL = "kubectl/v1.31.2 (linux/amd64) kubernetes/abc1234";

    private static final SecretGetRule SEED_RULE = new SecretGetRule(JobSettings.defaultRule());

    // ---------------------------------------------------------------- kept

    @Test
    void aSecretGetIsKeptWithWhatTheAlertNeeds() {
        List<SecretGet> out = new ArrayList<>();

        Verdict v = SEED_RULE.evaluate(secretGet("db-credentials").build(), out::add);

        assertThat(v).isEqualTo(Verdict.KEPT);
        assertThat(out).hasSize(1);
        SecretGet g = out.get(0);
        assertThat(g.userName).isEqualTo(ALICE);
        assertThat(g.auditUserName).isEqualTo(ALICE);
        assertThat(g.sourceIp).isEqualTo("10.0.3.17");
        assertThat(g.userAgent).isEqualTo(KUBECTL);
        assertThat(g.secretName).isEqualTo("db-credentials");
        assertThat(g.namespaces).containsExactly("payments");
        assertThat(g.decisions).containsExactly("allow");
        assertThat(g.auditId).isEqualTo("audit-db-credentials");
        assertThat(g.timestamp).isEqualTo(T0.toEpochMilli());
        assertThat(g.origin).isEqualTo(ORIGIN);
        assertThat(g.fingerprint()).isEqualTo(new Fingerprint(ALICE, ALICE, "10.0.3.17", KUBECTL));
    }

    @Test
    void aDroppedEventYieldsNothing() {
        List<SecretGet> out = new ArrayList<>();

        SEED_RULE.evaluate(secretGet("db-credentials").action("list").build(), out::add);

        assertThat(out).isEmpty();
    }

    // ---------------------------------------------------------------- event.dataset, event.action, resource

    @Test
    void onlyKubernetesAuditLogsCount() {
        assertThat(verdict(secretGet("x").dataset("kubernetes.container_logs"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").dataset())).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").dataset("kubernetes.audit_logs", "kubernetes.events"))).isEqualTo(Verdict.NOT_SECRET_GET);
    }

    @Test
    void onlyTheGetVerbCountsAndCaseMatters() {
        assertThat(verdict(secretGet("x").action("GET"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").action("get "))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").action("list"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").action("watch"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").action())).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").action("get", "list"))).isEqualTo(Verdict.NOT_SECRET_GET);
    }

    @Test
    void aRepeatedValueIsOneValueAsInElasticsearchDocValues() {
        assertThat(verdict(secretGet("x").action("get", "get"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("x").dataset("kubernetes.audit_logs", "kubernetes.audit_logs"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("x").named("x", "x"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("x").by(ALICE, ALICE))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void onlySecretsCount() {
        assertThat(verdict(secretGet("x").resource("configmaps"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").resource("Secrets"))).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").resource())).isEqualTo(Verdict.NOT_SECRET_GET);
        assertThat(verdict(secretGet("x").resource("secrets", "configmaps"))).isEqualTo(Verdict.NOT_SECRET_GET);
    }

    // ---------------------------------------------------------------- source.ip and user.name present

    @Test
    void aMissingSourceIpOrUserNameDropsTheEvent() {
        assertThat(verdict(secretGet("x").from())).isEqualTo(Verdict.MISSING_CLIENT);
        assertThat(verdict(secretGet("x").userName())).isEqualTo(Verdict.MISSING_CLIENT);
    }

    // ---------------------------------------------------------------- source.ip exclusions

    @Test
    void loopbackClientsAreExcludedInEverySpelling() {
        assertThat(verdict(secretGet("x").from("127.0.0.1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(secretGet("x").from("::1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(secretGet("x").from("0:0:0:0:0:0:0:1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(secretGet("x").from("::ffff:127.0.0.1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(secretGet("x").from("127.0.0.2"))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void excludedIpsAreConfiguredInAnySpellingAndComparedCanonically() {
        SecretGetRule rule = rule(List.of("0:0:0:0:0:0:0:1", "::FFFF:10.0.3.17", "2001:0DB8::0001"), SourceIpMode.REMOTE);

        assertThat(verdict(rule, secretGet("x").from("::1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(rule, secretGet("x").from("10.0.3.17"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(rule, secretGet("x").from("2001:db8::1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
        assertThat(verdict(rule, secretGet("x").from("127.0.0.1"))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void anExcludedIpThatIsNoIpIsRefused() {
        assertThatThrownBy(() -> rule(List.of("localhost"), SourceIpMode.REMOTE)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- source-ip: remote vs all

    @Test
    void remoteModeReadsTheLastAddressTheOneTheApiServerSaw() {
        List<SecretGet> out = new ArrayList<>();

        Verdict v = SEED_RULE.evaluate(secretGet("x").from("203.0.113.9", "10.0.3.17").build(), out::add);

        assertThat(v).isEqualTo(Verdict.KEPT);
        assertThat(out).extracting(g -> g.sourceIp).containsExactly("10.0.3.17");
    }

    @Test
    void remoteModeCannotBeFooledByAForgedLoopbackForwardedFor() {
        assertThat(verdict(secretGet("x").from("127.0.0.1", "10.0.3.17"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("x").from("10.0.3.17", "127.0.0.1"))).isEqualTo(Verdict.EXCLUDED_SOURCE_IP);
    }

    @Test
    void allModeDropsAnyRequestWithSeveralAddressesAsEsqlDoes() {
        SecretGetRule all = rule(Settings.RULE_EXCLUDED_SOURCE_IPS.defaultValue(), SourceIpMode.ALL);

        assertThat(verdict(all, secretGet("x").from("203.0.113.9", "10.0.3.17"))).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
        assertThat(verdict(all, secretGet("x").from("10.0.3.17"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(all, secretGet("x").from())).isEqualTo(Verdict.MISSING_CLIENT);
    }

    @Test
    void allModeCollapsesRepeatedAddresses() {
        SecretGetRule all = rule(Settings.RULE_EXCLUDED_SOURCE_IPS.defaultValue(), SourceIpMode.ALL);
        List<SecretGet> out = new ArrayList<>();

        Verdict v = all.evaluate(secretGet("x").from("10.0.3.17", "::ffff:10.0.3.17").build(), out::add);

        assertThat(v).isEqualTo(Verdict.KEPT);
        assertThat(out).extracting(g -> g.sourceIp).containsExactly("10.0.3.17");
    }

    // ---------------------------------------------------------------- user.name exclusions

    @Test
    void controlPlaneUsersAreExcludedExactly() {
        assertThat(verdict(secretGet("x").userName("system:kube-controller-manager"))).isEqualTo(Verdict.EXCLUDED_USER_NAME);
        assertThat(verdict(secretGet("x").userName("system:kube-scheduler"))).isEqualTo(Verdict.EXCLUDED_USER_NAME);
        assertThat(verdict(secretGet("x").userName("System:kube-scheduler"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("x").userName("system:kube-scheduler "))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void aMultiValuedUserNameDropsTheEvent() {
        assertThat(verdict(secretGet("x").userName(ALICE, "bob@example.com"))).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
    }

    // ---------------------------------------------------------------- objectRef.name LIKE

    @Test
    void helmReleaseSecretsAreExcludedByLike() {
        assertThat(verdict(secretGet("sh.helm.release.v1.prometheus.v3"))).isEqualTo(Verdict.EXCLUDED_SECRET_NAME);
        assertThat(verdict(secretGet("shXhelm.release.v1"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(secretGet("SH.HELM.RELEASE.V1"))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void aMissingOrMultiValuedSecretNameDropsTheEvent() {
        assertThat(verdict(secretGet("x").named())).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
        assertThat(verdict(secretGet("x").named("db-credentials", "api-token"))).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
    }

    // ---------------------------------------------------------------- kubernetes.audit.user.username exclusions

    @Test
    void gitOpsControllersAndTrivyAreExcluded() {
        for (String controller : Settings.RULE_EXCLUDED_AUDIT_USERNAMES.defaultValue()) {
            assertThat(verdict(secretGet("x").by(controller))).as(controller).isEqualTo(Verdict.EXCLUDED_AUDIT_USERNAME);
        }
        assertThat(verdict(secretGet("x").by("system:serviceaccount:flux-system:notification-controller"))).isEqualTo(Verdict.KEPT);
    }

    @Test
    void theAuditUsernameIsJudgedOnItsOwn() {
        Event differs = secretGet("x").userName(ALICE).auditUserName("system:serviceaccount:security:trivy-operator");

        assertThat(verdict(differs)).isEqualTo(Verdict.EXCLUDED_AUDIT_USERNAME);
    }

    @Test
    void aMissingOrMultiValuedAuditUsernameDropsTheEvent() {
        assertThat(verdict(secretGet("x").auditUserName())).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
        assertThat(verdict(secretGet("x").auditUserName(ALICE, "bob@example.com"))).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
    }

    // ---------------------------------------------------------------- empty exclusion lists

    @Test
    void emptyExclusionListsStillDropNullFields() {
        SecretGetRule nothingExcluded = new SecretGetRule(new RuleSettings(List.of(), List.of(), "", List.of(), SourceIpMode.REMOTE));

        assertThat(verdict(nothingExcluded, secretGet("x").from("127.0.0.1").userName("system:kube-scheduler")))
                .isEqualTo(Verdict.KEPT);
        assertThat(verdict(nothingExcluded, secretGet("sh.helm.release.v1.app.v1"))).isEqualTo(Verdict.KEPT);
        assertThat(verdict(nothingExcluded, secretGet("x").named())).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
        assertThat(verdict(nothingExcluded, secretGet("x").auditUserName())).isEqualTo(Verdict.NULL_OR_MULTI_VALUED);
        assertThat(verdict(nothingExcluded, secretGet("x").userName())).isEqualTo(Verdict.MISSING_CLIENT);
        assertThat(verdict(nothingExcluded, secretGet("x").from())).isEqualTo(Verdict.MISSING_CLIENT);
    }

    // ---------------------------------------------------------------- user_agent.original: a group key only

    @Test
    void aMissingUserAgentIsItsOwnGroupDistinctFromTheEmptyOne() {
        SecretGet none = single(secretGet("x").agent());
        SecretGet empty = single(secretGet("x").agent(""));

        assertThat(none.userAgent).isNull();
        assertThat(empty.userAgent).isEmpty();
        assertThat(none.fingerprint()).isNotEqualTo(empty.fingerprint());
    }

    @Test
    void aMultiValuedUserAgentPutsTheEventInEachAgentsGroup() {
        List<SecretGet> out = new ArrayList<>();

        Verdict v = SEED_RULE.evaluate(secretGet("x").agent(KUBECTL, "k9s/0.32.5", KUBECTL).build(), out::add);

        assertThat(v).isEqualTo(Verdict.KEPT);
        assertThat(out).extracting(g -> g.userAgent).containsExactlyInAnyOrder(KUBECTL, "k9s/0.32.5");
        assertThat(out).extracting(g -> g.secretName).containsOnly("x");
    }

    // ---------------------------------------------------------------- namespaces and decisions: flattened

    @Test
    void namespacesAndDecisionsAreDistinctSortedValues() {
        SecretGet g = single(secretGet("x").namespace("payments", "billing", "payments").decision("allow", "allow"));

        assertThat(g.namespaces).containsExactly("billing", "payments");
        assertThat(g.decisions).containsExactly("allow");
    }

    @Test
    void missingNamespacesAndDecisionsAreNull() {
        SecretGet g = single(secretGet("x").namespace().decision());

        assertThat(g.namespaces).isNull();
        assertThat(g.decisions).isNull();
    }

    @Test
    void everyVerdictHasAMetricName() {
        assertThat(Verdict.KEPT.metricName()).isEqualTo("kept");
        assertThat(Arrays.stream(Verdict.values()).map(Verdict::metricName)).doesNotHaveDuplicates().allMatch(n -> n.matches("[a-z-]+"));
    }

    // ---------------------------------------------------------------- helpers

    private static Verdict verdict(Event e) {
        return verdict(SEED_RULE, e);
    }

    private static Verdict verdict(SecretGetRule rule, Event e) {
        return rule.evaluate(e.build(), g -> { });
    }

    private static SecretGet single(Event e) {
        List<SecretGet> out = new ArrayList<>();
        assertThat(SEED_RULE.evaluate(e.build(), out::add)).isEqualTo(Verdict.KEPT);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static SecretGetRule rule(List<String> excludedIps, SourceIpMode mode) {
        return new SecretGetRule(new RuleSettings(excludedIps, Settings.RULE_EXCLUDED_USER_NAMES.defaultValue(),
                Settings.RULE_EXCLUDED_SECRET_NAME_PATTERN.defaultValue(), Settings.RULE_EXCLUDED_AUDIT_USERNAMES.defaultValue(), mode));
    }

    /** Alice reads one Secret with kubectl from 10.0.3.17: the ECS view the parser would give. */
    private static Event secretGet(String name) {
        return new Event(name);
    }

    /** An {@link AuditEvent} builder; a setter with no values makes the field missing. */
    private static final class Event {
        private final AuditEvent e = new AuditEvent();

        Event(String name) {
            e.dataset = values("kubernetes.audit_logs");
            e.action = values("get");
            e.resource = values("secrets");
            e.secretName = values(name);
            e.namespace = values("payments");
            e.userName = values(ALICE);
            e.auditUserName = values(ALICE);
            e.sourceIp = values("10.0.3.17");
            e.userAgent = values(KUBECTL);
            e.decision = values("allow");
            e.auditId = "audit-" + name;
            e.timestamp = T0.toEpochMilli();
            e.origin = ORIGIN;
        }

        Event dataset(String... v) {
            e.dataset = values(v);
            return this;
        }

        Event action(String... v) {
            e.action = values(v);
            return this;
        }

        Event resource(String... v) {
            e.resource = values(v);
            return this;
        }

        Event named(String... v) {
            e.secretName = values(v);
            return this;
        }

        Event namespace(String... v) {
            e.namespace = values(v);
            return this;
        }

        /** Sets user.name and kubernetes.audit.user.username, as for a raw event. */
        Event by(String... v) {
            return userName(v).auditUserName(v);
        }

        Event userName(String... v) {
            e.userName = values(v);
            return this;
        }

        Event auditUserName(String... v) {
            e.auditUserName = values(v);
            return this;
        }

        /** Source addresses in any spelling; canonicalised as the parser does. */
        Event from(String... ips) {
            e.sourceIp = values(Arrays.stream(ips).map(IpAddresses::canonical).toArray(String[]::new));
            return this;
        }

        Event agent(String... v) {
            e.userAgent = values(v);
            return this;
        }

        Event decision(String... v) {
            e.decision = values(v);
            return this;
        }

        AuditEvent build() {
            return e;
        }

        private static String[] values(String... v) {
            return v.length == 0 ? null : v;
        }
    }
}
