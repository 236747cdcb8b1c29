package io.secretrecon.alert;

import io.secretrecon.rule.Fingerprint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic alert ids: name-based UUIDs (version 5, SHA-1) in the rule's namespace over the
 * fingerprint and the window ({@code windows}) or the episode's opening time ({@code continuous}).
 * The same input always yields the same ids, so a replay overwrites instead of duplicating.
 */
public final class AlertIds {

    private static final UUID NAMESPACE = UUID.fromString(RuleMetadata.RULE_ID);

    private AlertIds() {}

    public static String forWindow(Fingerprint fp, long windowStart, long windowEnd) {
        return uuid("windows", fp, windowStart, windowEnd);
    }

    public static String forEpisode(Fingerprint fp, long openedAt) {
        return uuid("continuous", fp, openedAt, openedAt);
    }

    private static String uuid(String mode, Fingerprint fp, long a, long b) {
        // Length-prefixed fields: no separator can make two different fingerprints collide.
        StringBuilder name = new StringBuilder(128).append(mode);
        field(name, fp.userName);
        field(name, fp.auditUserName);
        field(name, fp.sourceIp);
        field(name, fp.userAgent);
        name.append('|').append(a).append('|').append(b);
        return nameUuid(name.toString()).toString();
    }

    private static void field(StringBuilder sb, String value) {
        if (value == null) {
            sb.append("|-1:");
        } else {
            sb.append('|').append(value.length()).append(':').append(value);
        }
    }

    private static UUID nameUuid(String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16)
                .putLong(NAMESPACE.getMostSignificantBits())
                .putLong(NAMESPACE.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        ByteBuffer bb = ByteBuffer.wrap(h, 0, 16);
        return new UUID(bb.getLong(), bb.getLong());
    }
}
