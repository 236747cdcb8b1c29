package io.secretrecon.rule.exceptions;

import io.secretrecon.rule.SecretGet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.secretrecon.testutil.SecretGets.T0;
import static io.secretrecon.testutil.SecretGets.minutes;
import static io.secretrecon.testutil.SecretGets.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/** Every operator, on every kind of field, with nulls, multi-valued fields, time bounds and the decision condition. */
class ExceptionMatchingTest {

    private static final String ALICE = "alice";

    // ---------------------------------------------------------------- is, is one of

    @Test
    void isComparesExactlyAndCaseSensitively() {
        CompiledException e = exception("user.name", "is", ALICE);

        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").at(T0)))).isTrue();
        assertThat(e.appliesTo(subject(secretGet("Alice", "db").at(T0)))).isFalse();
        assertThat(e.appliesTo(subject(secretGet("alice ", "db").at(T0)))).isFalse();
    }

    @Test
    void isOneOfMatchesAnyValue() {
        CompiledException e = exception("kubernetes.audit.objectRef.name", "is one of", "db", "tls", "token");

        assertThat(e.appliesTo(subject(secretGet(ALICE, "tls").at(T0)))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "token").at(T0)))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "tls-2").at(T0)))).isFalse();
    }

    @Test
    void everyRuleFieldCanBeTested() {
        SecretGet g = secretGet(ALICE, "db").from("198.51.100.7").agent("kubectl/v1.31.2").in("payments").at(T0);
        g.auditUserName = "alice@corp";
        ExceptionSubject s = subject(g);

        assertThat(exception("event.dataset", "is", "kubernetes.audit_logs").appliesTo(s)).isTrue();
        assertThat(exception("event.action", "is", "get").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.objectRef.resource", "is", "secrets").appliesTo(s)).isTrue();
        assertThat(exception("source.ip", "is", "198.51.100.7").appliesTo(s)).isTrue();
        assertThat(exception("user.name", "is", ALICE).appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.user.username", "is", "alice@corp").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.user.username", "is", ALICE).appliesTo(s)).isFalse();
        assertThat(exception("user_agent.original", "is", "kubectl/v1.31.2").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.objectRef.name", "is", "db").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.objectRef.namespace", "is", "payments").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.annotations.authorization_k8s_io/decision", "is", "allow").appliesTo(s)).isTrue();
    }

    @Test
    void anIpValueIsComparedInCanonicalForm() {
        CompiledException e = exception("source.ip", "is one of", "2001:0DB8::0001", "::ffff:192.0.2.9");

        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").from("2001:db8::1").at(T0)))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").from("192.0.2.9").at(T0)))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").from("2001:db8::2").at(T0)))).isFalse();
    }

    // ---------------------------------------------------------------- matches

    @Test
    void matchesIsEsqlLike() {
        CompiledException sa = exception("user.name", "matches", "system:serviceaccount:ci-*:deployer");
        CompiledException one = exception("kubernetes.audit.objectRef.name", "matches", "db-?");

        assertThat(sa.appliesTo(subject(secretGet("system:serviceaccount:ci-web:deployer", "x").at(T0)))).isTrue();
        assertThat(sa.appliesTo(subject(secretGet("system:serviceaccount:ci-:deployer", "x").at(T0)))).isTrue();
        assertThat(sa.appliesTo(subject(secretGet("system:serviceaccount:cd-web:deployer", "x").at(T0)))).isFalse();
        assertThat(one.appliesTo(subject(secretGet(ALICE, "db-1").at(T0)))).isTrue();
        assertThat(one.appliesTo(subject(secretGet(ALICE, "db-12").at(T0)))).isFalse();
        assertThat(one.appliesTo(subject(secretGet(ALICE, "db-").at(T0)))).isFalse();
        assertThat(exception("kubernetes.audit.objectRef.name", "matches", "a.b").appliesTo(subject(secretGet(ALICE, "axb").at(T0))))
                .as("a dot is a dot").isFalse();
    }

    // ---------------------------------------------------------------- ip in cidr

    @Test
    void ipv4Blocks() {
        CompiledException e = exception("source.ip", "ip in cidr", "10.0.0.0/8", "192.168.7.0/24");

        assertThat(e.appliesTo(ip("10.1.2.3"))).isTrue();
        assertThat(e.appliesTo(ip("10.255.255.255"))).isTrue();
        assertThat(e.appliesTo(ip("11.0.0.0"))).isFalse();
        assertThat(e.appliesTo(ip("192.168.7.200"))).isTrue();
        assertThat(e.appliesTo(ip("192.168.8.1"))).isFalse();
        assertThat(e.appliesTo(ip("::a00:1"))).as("an IPv6 address is never in an IPv4 block").isFalse();
    }

    @Test
    void ipv6Blocks() {
        CompiledException e = exception("source.ip", "ip in cidr", "2001:db8::/32", "fd00::/8");

        assertThat(e.appliesTo(ip("2001:db8::1"))).isTrue();
        assertThat(e.appliesTo(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(e.appliesTo(ip("2001:db9::1"))).isFalse();
        assertThat(e.appliesTo(ip("fdab:1::7"))).isTrue();
        assertThat(e.appliesTo(ip("fe80::1"))).isFalse();
        assertThat(e.appliesTo(ip("32.1.13.184"))).as("an IPv4 address is never in a non-mapped IPv6 block").isFalse();
    }

    @Test
    void ipv4IsItsMappedIpv6FormAsInElasticsearch() {
        assertThat(exception("source.ip", "ip in cidr", "::ffff:10.0.0.0/104").appliesTo(ip("10.9.8.7"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "::ffff:0:0/96").appliesTo(ip("203.0.113.5"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "::/0").appliesTo(ip("203.0.113.5"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "0.0.0.0/0").appliesTo(ip("203.0.113.5"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "0.0.0.0/0").appliesTo(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void anAddressAloneIsOneHostAndHostBitsAreIgnored() {
        assertThat(exception("source.ip", "ip in cidr", "198.51.100.7").appliesTo(ip("198.51.100.7"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "198.51.100.7").appliesTo(ip("198.51.100.8"))).isFalse();
        assertThat(exception("source.ip", "ip in cidr", "2001:DB8::7").appliesTo(ip("2001:db8::7"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "10.1.2.3/8").appliesTo(ip("10.200.0.1"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "10.0.0.0/32").appliesTo(ip("10.0.0.0"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "10.0.0.0/31").appliesTo(ip("10.0.0.1"))).isTrue();
        assertThat(exception("source.ip", "ip in cidr", "10.0.0.0/31").appliesTo(ip("10.0.0.2"))).isFalse();
    }

    // ---------------------------------------------------------------- nulls and multi-valued fields

    @Test
    void noTestHoldsOnANullField() {
        SecretGet noAgent = secretGet(ALICE, "db").agent(null).at(T0);
        SecretGet noNamespace = secretGet(ALICE, "db").at(T0);
        noNamespace.namespaces = null;
        SecretGet noDecision = secretGet(ALICE, "db").at(T0);
        noDecision.decisions = null;

        assertThat(exception("user_agent.original", "is", "").appliesTo(subject(noAgent))).isFalse();
        assertThat(exception("user_agent.original", "matches", "*").appliesTo(subject(noAgent))).isFalse();
        assertThat(exception("user_agent.original", "is", "").appliesTo(subject(secretGet(ALICE, "db").agent("").at(T0))))
                .as("an empty agent is a value").isTrue();
        assertThat(exception("kubernetes.audit.objectRef.namespace", "matches", "*").appliesTo(subject(noNamespace))).isFalse();
        assertThat(exception("kubernetes.audit.annotations.authorization_k8s_io/decision", "matches", "*")
                .appliesTo(subject(noDecision))).isFalse();
    }

    @Test
    void aTestOnAMultiValuedFieldHoldsWhenAnyValuePasses() {
        List<SecretGet> rows = new ArrayList<>();
        rows.add(secretGet(ALICE, "db").agent("helm/v3.16").at(T0));
        rows.add(secretGet(ALICE, "db").agent("curl/8.5").at(T0));
        rows.get(0).namespaces = new String[] {"payments", "web"};
        rows.get(1).namespaces = rows.get(0).namespaces;
        ExceptionSubject s = new ExceptionSubject().reset(rows);

        assertThat(exception("user_agent.original", "is", "curl/8.5").appliesTo(s)).isTrue();
        assertThat(exception("user_agent.original", "matches", "helm/*").appliesTo(s)).isTrue();
        assertThat(exception("user_agent.original", "is", "kubectl").appliesTo(s)).isFalse();
        assertThat(exception("kubernetes.audit.objectRef.namespace", "is", "web").appliesTo(s)).isTrue();
        assertThat(exception("kubernetes.audit.objectRef.namespace", "is", "data").appliesTo(s)).isFalse();
    }

    // ---------------------------------------------------------------- decision condition

    @Test
    void theDecisionConditionHoldsOnlyForExactlyAllow() {
        CompiledException allowedOnly = compile(entry("user.name", "is", ALICE).decision("allow"));
        SecretGet mixed = secretGet(ALICE, "db").at(T0);
        mixed.decisions = new String[] {"allow", "forbid"};
        SecretGet none = secretGet(ALICE, "db").at(T0);
        none.decisions = null;

        assertThat(allowedOnly.appliesTo(subject(secretGet(ALICE, "db").at(T0)))).isTrue();
        assertThat(allowedOnly.appliesTo(subject(secretGet(ALICE, "db").forbidden().at(T0)))).as("denied still counts").isFalse();
        assertThat(allowedOnly.appliesTo(subject(none))).as("null is not allow").isFalse();
        assertThat(allowedOnly.appliesTo(subject(mixed))).as("allow and forbid is not allow").isFalse();
        assertThat(exception("user.name", "is", ALICE).appliesTo(subject(secretGet(ALICE, "db").forbidden().at(T0))))
                .as("without the condition any decision").isTrue();
    }

    // ---------------------------------------------------------------- time

    @Test
    void anExceptionAppliesFromItsEffectiveTimeUntilItsExpiry() {
        CompiledException e = compile(entry("user.name", "is", ALICE).effective(minutes(10)).expires(minutes(20)));

        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").at(minutes(9.99))))).isFalse();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").at(minutes(10))))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").at(minutes(19.99))))).isTrue();
        assertThat(e.appliesTo(subject(secretGet(ALICE, "db").at(minutes(20))))).as("expiry is exclusive").isFalse();
        assertThat(e.inForceAt(minutes(15).toEpochMilli())).isTrue();
        assertThat(e.inForceAt(minutes(20).toEpochMilli())).isFalse();
    }

    @Test
    void aSetReportsEveryExceptionThatDropsAnEvent() {
        ExceptionSet set = ExceptionSet.of(List.of(entry("user.name", "is", ALICE).id("b").build(),
                entry("kubernetes.audit.objectRef.name", "is", "db").id("a").build(),
                entry("kubernetes.audit.objectRef.name", "is", "tls").id("c").build()));
        List<String> hits = new ArrayList<>();

        assertThat(set.drops(subject(secretGet(ALICE, "db").at(T0)), e -> hits.add(e.id()))).isTrue();
        assertThat(hits).containsExactly("a", "b");
        assertThat(set.drops(subject(secretGet("bob", "x").at(T0)), e -> hits.add(e.id()))).isFalse();
        assertThat(ExceptionSet.EMPTY.drops(subject(secretGet(ALICE, "db").at(T0)), e -> hits.add(e.id()))).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    private static ExceptionSubject subject(SecretGet g) {
        return new ExceptionSubject().reset(List.of(g));
    }

    private static ExceptionSubject ip(String canonicalIp) {
        return subject(secretGet(ALICE, "db").from(canonicalIp).at(T0));
    }

    private static CompiledException exception(String field, String operator, String... values) {
        return compile(entry(field, operator, values));
    }

    private static CompiledException compile(EntryBuilder b) {
        return CompiledException.of(b.build());
    }

    static EntryBuilder entry(String field, String operator, String... values) {
        return new EntryBuilder(field, operator, values);
    }

    /** Builds valid entries: effective from the beginning, never expiring, unless told. */
    static final class EntryBuilder {
        private final ExceptionEntry e = new ExceptionEntry();

        EntryBuilder(String field, String operator, String... values) {
            e.id = "x1";
            e.field = field;
            e.operator = operator;
            e.values = values;
            e.effective = Long.MIN_VALUE;
            e.author = "jane";
            e.comment = "test";
        }

        EntryBuilder id(String id) {
            e.id = id;
            return this;
        }

        EntryBuilder decision(String d) {
            e.decision = d;
            return this;
        }

        EntryBuilder effective(Instant t) {
            e.effective = t.toEpochMilli();
            return this;
        }

        EntryBuilder expires(Instant t) {
            e.expires = t.toEpochMilli();
            return this;
        }

        ExceptionEntry build() {
            return e.copy();
        }
    }
}
