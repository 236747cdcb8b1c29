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

    public static Sighting of(SecretGet g) {
        Sighting s = new Sighting();
        s.secretName = g.secretName;
        s.namespaces = g.namespaces;
        s.decisions = g.decisions;
        s.auditId = g.auditId;
        return s;
    }
}
