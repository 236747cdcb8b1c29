package io.secretrecon.detect;

import io.secretrecon.rule.SecretGet;

/** What the detector keeps of one kept event: the secret and the alert's evidence, not the event. */
public class Sighting {

    public String secretName;
    /** Sorted distinct, or null. */
    public String[] namespaces;
    /** Sorted distinct, or null. */
    public String[] decisions;
    public String auditId;

    public Sighting() {}

    /** The event's evidence, with the {@code valueCap} smallest of its namespaces and decisions. */
    public static Sighting of(SecretGet g, int valueCap) {
        Sighting s = new Sighting();
        s.secretName = g.secretName;
        s.namespaces = SortedValues.first(g.namespaces, valueCap);
        s.decisions = SortedValues.first(g.decisions, valueCap);
        s.auditId = g.auditId;
        return s;
    }
}
