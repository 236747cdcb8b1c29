package io.secretrecon.rule;

/** Which WHERE clause the job runs ({@code rule.profile}). */
public enum RuleProfile {
    /** Exactly the seed rule (SPEC §1). */
    SEED,
    /**
     * The seed rule, and it also drops an allowed read by a service account, a node, the
     * controller manager or the scheduler ({@link QuietProfile}); their denied reads still count.
     */
    QUIET
}
