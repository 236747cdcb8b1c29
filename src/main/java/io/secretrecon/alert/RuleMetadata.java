package io.secretrecon.alert;

/** The fixed identity of the seed rule, written into every alert. */
public final class RuleMetadata {

    public static final String RULE_NAME = "Kubernetes Rapid Secret GET Activity Against Multiple Objects";
    public static final String RULE_ID = "b4c8e2a1-9f3d-4e7c-a2b1-0d5e6f7a8b9c";
    public static final String SEVERITY = "high";
    public static final int RISK_SCORE = 73;
    public static final String THREAT_FRAMEWORK = "MITRE ATT&CK";
    public static final String TACTIC_ID = "TA0006";
    public static final String TACTIC_NAME = "Credential Access";
    public static final String TECHNIQUE_ID = "T1552";
    public static final String TECHNIQUE_NAME = "Unsecured Credentials";
    public static final String SUBTECHNIQUE_ID = "T1552.007";
    public static final String SUBTECHNIQUE_NAME = "Container API";

    private RuleMetadata() {}
}
