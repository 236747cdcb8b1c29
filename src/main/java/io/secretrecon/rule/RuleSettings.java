package io.secretrecon.rule;

import io.secretrecon.event.IpAddresses;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rule's constants: its exclusion lists, the secret-name pattern and the source-ip mode. Their
 * defaults (the seed rule's) are defined with the settings, in {@code config.Settings}.
 */
public final class RuleSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Set<String> excludedSourceIps;
    private final Set<String> excludedUserNames;
    private final LikePattern excludedSecretNamePattern;
    private final Set<String> excludedAuditUsernames;
    private final SourceIpMode sourceIpMode;
    private final SecretGetBounds bounds;

    /** Without bounds ({@link SecretGetBounds#NONE}): every value kept whole, every user agent taken. */
    public RuleSettings(List<String> excludedSourceIps, List<String> excludedUserNames, String excludedSecretNamePattern,
            List<String> excludedAuditUsernames, SourceIpMode sourceIpMode) {
        this(excludedSourceIps, excludedUserNames, excludedSecretNamePattern, excludedAuditUsernames, sourceIpMode,
                SecretGetBounds.NONE);
    }

    /**
     * @param excludedSourceIps IP literals in any form; compared in canonical form
     * @param bounds field lengths and user agents per event, applied to what the rule keeps
     * @throws IllegalArgumentException if an excluded source IP is not an IP literal
     */
    public RuleSettings(List<String> excludedSourceIps, List<String> excludedUserNames, String excludedSecretNamePattern,
            List<String> excludedAuditUsernames, SourceIpMode sourceIpMode, SecretGetBounds bounds) {
        Set<String> ips = new LinkedHashSet<>();
        for (String ip : excludedSourceIps) {
            ips.add(IpAddresses.canonical(ip));
        }
        this.excludedSourceIps = Set.copyOf(ips);
        this.excludedUserNames = Set.copyOf(excludedUserNames);
        this.excludedSecretNamePattern = new LikePattern(excludedSecretNamePattern);
        this.excludedAuditUsernames = Set.copyOf(excludedAuditUsernames);
        this.sourceIpMode = sourceIpMode;
        this.bounds = bounds;
    }

    public Set<String> excludedSourceIps() {
        return excludedSourceIps;
    }

    public Set<String> excludedUserNames() {
        return excludedUserNames;
    }

    public LikePattern excludedSecretNamePattern() {
        return excludedSecretNamePattern;
    }

    public Set<String> excludedAuditUsernames() {
        return excludedAuditUsernames;
    }

    public SourceIpMode sourceIpMode() {
        return sourceIpMode;
    }

    public SecretGetBounds bounds() {
        return bounds;
    }
}
