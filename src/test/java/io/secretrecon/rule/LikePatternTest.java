package io.secretrecon.rule;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LikePatternTest {

    private static final LikePattern HELM_RELEASES = like("sh.helm.release.*");

    @Test
    void helmReleaseSecretsMatchTheSeedPattern() {
        assertThat(HELM_RELEASES.matches("sh.helm.release.v1.prometheus.v3")).isTrue();
        assertThat(HELM_RELEASES.matches("sh.helm.release.")).isTrue();
    }

    @Test
    void dotsAreLiteralDots() {
        assertThat(HELM_RELEASES.matches("shXhelm.release.v1")).isFalse();
        assertThat(HELM_RELEASES.matches("sh.helmXrelease.v1")).isFalse();
        assertThat(HELM_RELEASES.matches("sh.helm.releaseX")).isFalse();
        assertThat(like("a.c").matches("abc")).isFalse();
        assertThat(like("a.*").matches("ab")).isFalse();
    }

    @Test
    void thePatternMustMatchTheWholeValue() {
        assertThat(HELM_RELEASES.matches("x-sh.helm.release.v1")).isFalse();
        assertThat(HELM_RELEASES.matches("sh.helm.release")).isFalse();
        assertThat(like("db-password").matches("db-password-old")).isFalse();
        assertThat(like("db-password").matches("my-db-password")).isFalse();
        assertThat(like("db-password").matches("db-password")).isTrue();
    }

    @Test
    void matchingIsCaseSensitive() {
        assertThat(HELM_RELEASES.matches("SH.HELM.RELEASE.V1")).isFalse();
        assertThat(HELM_RELEASES.matches("sh.Helm.release.v1")).isFalse();
        assertThat(like("*Token*").matches("default-token-abcde")).isFalse();
    }

    @Test
    void starMatchesAnySequenceIncludingNone() {
        LikePattern star = like("*");
        assertThat(star.matches("")).isTrue();
        assertThat(star.matches("anything at all")).isTrue();
        assertThat(like("a*b").matches("ab")).isTrue();
        assertThat(like("a*b").matches("a-very-long-b")).isTrue();
        assertThat(like("a*b").matches("a-b-")).isFalse();
        assertThat(like("*-token-*").matches("default-token-x7k2p")).isTrue();
        assertThat(like("*-token-*").matches("-token-")).isTrue();
        assertThat(like("*-token-*").matches("default-token")).isFalse();
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        LikePattern oneChar = like("v?");
        assertThat(oneChar.matches("v1")).isTrue();
        assertThat(oneChar.matches("v")).isFalse();
        assertThat(oneChar.matches("v10")).isFalse();
        assertThat(like("???").matches("abc")).isTrue();
        assertThat(like("???").matches("ab")).isFalse();
        assertThat(like("a?c").matches("a.c")).isTrue();
    }

    @Test
    void questionMarkMatchesOneCodePointNotOneUtf16Unit() {
        String grinningFace = "\uD83D\uDE00";
        assertThat(like("key-?").matches("key-" + grinningFace)).isTrue();
        assertThat(like("key-??").matches("key-" + grinningFace)).isFalse();
        assertThat(like("?").matches("é")).isTrue();
    }

    @Test
    void nonAsciiCharactersAreLiteral() {
        assertThat(like("geheimnis-ü*").matches("geheimnis-überall")).isTrue();
        assertThat(like("geheimnis-ü*").matches("geheimnis-u")).isFalse();
        assertThat(like("*密码").matches("数据库密码")).isTrue();
        assertThat(like("*\uD83D\uDE00*").matches("a\uD83D\uDE00b")).isTrue();
        assertThat(like("*\uD83D\uDE00*").matches("a\uD83D\uDE01b")).isFalse();
    }

    @Test
    void severalStarsAndBacktracking() {
        assertThat(like("*a*b*c*").matches("xxaxxbxxcxx")).isTrue();
        assertThat(like("*a*b*c*").matches("xxcxxbxxaxx")).isFalse();
        assertThat(like("a*aab").matches("aaaaaab")).isTrue();
        assertThat(like("a*ab").matches("aab")).isTrue();
        assertThat(like("*ab*ab").matches("abxabyab")).isTrue();
        assertThat(like("*ab*ab").matches("abxaby")).isFalse();
        assertThat(like("*?b").matches("b")).isFalse();
        assertThat(like("*?b").matches("ab")).isTrue();
        assertThat(like("**x").matches("x")).isTrue();
        assertThat(like("a**").matches("a")).isTrue();
        assertThat(like("*.v?").matches("sh.helm.release.v1.app.v2")).isTrue();
        assertThat(like("*.v?").matches("sh.helm.release.v1.app.v22")).isFalse();
    }

    @Test
    void aLongAdversarialValueIsStillDecided() {
        String value = "a".repeat(5_000);
        assertThat(like("*a*a*a*a*a*b").matches(value)).isFalse();
        assertThat(like("*a*a*a*a*a*a").matches(value)).isTrue();
    }

    @Test
    void theEmptyPatternMatchesOnlyTheEmptyValue() {
        LikePattern empty = like("");
        assertThat(empty.matches("")).isTrue();
        assertThat(empty.matches("x")).isFalse();
    }

    @Test
    void aPatternWithoutWildcardsIsAnExactComparison() {
        assertThat(like("sh.helm.release.v1").matches("sh.helm.release.v1")).isTrue();
        assertThat(like("sh.helm.release.v1").matches("sh.helm.release.v12")).isFalse();
    }

    @Test
    void aLeadingStarThenLiteralTailIsNotAPrefixMatch() {
        assertThat(like("*release").matches("release-notes")).isFalse();
        assertThat(like("*release").matches("helm-release")).isTrue();
    }

    @Test
    void thePatternTextIsKept() {
        assertThat(HELM_RELEASES.pattern()).isEqualTo("sh.helm.release.*");
        assertThat(HELM_RELEASES).hasToString("sh.helm.release.*");
    }

    // ---------------------------------------------------------------- helpers

    private static LikePattern like(String pattern) {
        return new LikePattern(pattern);
    }
}
