package io.secretrecon.rule;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quiet} profile's extra clause (SPEC §1), appended to the seed rule's WHERE:
 *
 * <pre>
 * AND NOT (decision == "allow" AND user.name LIKE any of the patterns)
 * </pre>
 *
 * with the patterns {@code system:serviceaccount:*}, {@code system:node:*},
 * {@code system:kube-controller-manager} and {@code system:kube-scheduler} by default. Routine
 * successful reads of controllers, operators and kubelets are dropped; their denied reads still
 * count, which is what matters when one of them is compromised or misused.
 *
 * <p>The decision is {@code allow} only when it is exactly that: a null decision is not allow
 * (SPEC §1), and neither is a multi-valued one with different values ({@code ["allow",
 * "forbid"]}): the event still counts. Strict ES|QL would make {@code decision == "allow"} null on
 * such an event and so make the whole {@code NOT (...)} null, dropping it: an odd or forged record
 * would silence itself. A repeated value ({@code ["allow", "allow"]}) is the single value, as
 * everywhere in this job.
 */
public final class QuietProfile implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<LikePattern> userNames;

    /** @param userNamePatterns LIKE patterns of {@code user.name} */
    public QuietProfile(List<String> userNamePatterns) {
        List<LikePattern> patterns = new ArrayList<>();
        for (String p : userNamePatterns) {
            patterns.add(new LikePattern(p));
        }
        this.userNames = List.copyOf(patterns);
    }

    /** Whether the clause drops an event with this (single) user name and these decisions. */
    public boolean drops(String userName, String[] decisions) {
        if (!SecretGetRule.ALLOW.equals(SecretGetRule.single(decisions))) {
            return false;
        }
        for (LikePattern p : userNames) {
            if (p.matches(userName)) {
                return true;
            }
        }
        return false;
    }

    public List<LikePattern> userNames() {
        return userNames;
    }
}
