package io.secretrecon.rule;

import java.io.Serializable;
import java.util.Objects;

/**
 * An ES|QL {@code LIKE} pattern: {@code *} matches any sequence of characters (also none),
 * {@code ?} exactly one character, every other character only itself (case-sensitive; the dots
 * in {@code sh.helm.release.*} are dots). Characters are Unicode code points.
 */
public final class LikePattern implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final int[] codePoints;
    /** Set when the pattern is a literal prefix followed by a single trailing '*'. */
    private final String literalPrefix;

    public LikePattern(String pattern) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.codePoints = pattern.codePoints().toArray();
        int star = pattern.indexOf('*');
        boolean prefixOnly = star >= 0 && star == pattern.length() - 1 && pattern.indexOf('?') < 0;
        this.literalPrefix = prefixOnly ? pattern.substring(0, star) : null;
    }

    public String pattern() {
        return pattern;
    }

    /** Whether {@code value} (not null) matches the whole pattern. */
    public boolean matches(String value) {
        if (literalPrefix != null) {
            return value.startsWith(literalPrefix);
        }
        return matches(value.codePoints().toArray());
    }

    // Greedy wildcard matching with backtracking to the last '*': linear for typical patterns.
    private boolean matches(int[] text) {
        int t = 0;
        int p = 0;
        int starP = -1;
        int starT = -1;
        while (t < text.length) {
            if (p < codePoints.length && (codePoints[p] == '?' || (codePoints[p] != '*' && codePoints[p] == text[t]))) {
                t++;
                p++;
            } else if (p < codePoints.length && codePoints[p] == '*') {
                starP = p++;
                starT = t;
            } else if (starP >= 0) {
                p = starP + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < codePoints.length && codePoints[p] == '*') {
            p++;
        }
        return p == codePoints.length;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
