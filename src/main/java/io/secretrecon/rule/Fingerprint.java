package io.secretrecon.rule;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The rule's grouping key: (user.name, kubernetes.audit.user.username, source.ip,
 * user_agent.original). Only the user agent can be null; null is its own group, distinct from "".
 *
 * <p>Used as Flink's key: {@link #hashCode()} depends only on the four strings, so it is the same
 * in every JVM, as key-group assignment requires.
 */
public class Fingerprint {

    public String userName;
    public String auditUserName;
    public String sourceIp;
    public String userAgent;

    public Fingerprint() {}

    public Fingerprint(String userName, String auditUserName, String sourceIp, String userAgent) {
        this.userName = userName;
        this.auditUserName = auditUserName;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Fingerprint)) {
            return false;
        }
        Fingerprint that = (Fingerprint) o;
        return Objects.equals(userName, that.userName)
                && Objects.equals(auditUserName, that.auditUserName)
                && Objects.equals(sourceIp, that.sourceIp)
                && Objects.equals(userAgent, that.userAgent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userName, auditUserName, sourceIp, userAgent);
    }

    /** The length of {@link #digest()}. */
    public static final int DIGEST_BYTES = 16;

    /**
     * 128 bits of the SHA-256 of the four fields, each length-prefixed (-1 for null) in UTF-16:
     * equal for equal fingerprints, and for different ones equal only by a SHA-256 collision, which
     * nobody can choose. BATCH runs sort the detector's input by it (a fixed-length key that the
     * sorter compares without reading the records); the detector fails loudly should two
     * fingerprints ever share one ({@code SecretBurstDetector}).
     */
    public byte[] digest() {
        return digest(sha256());
    }

    /** {@link #digest()} with a SHA-256 instance of the caller's, which it resets. */
    public byte[] digest(MessageDigest sha256) {
        int chars = length(userName) + length(auditUserName) + length(sourceIp) + length(userAgent);
        byte[] b = new byte[16 + 2 * chars];
        int at = put(b, 0, userName);
        at = put(b, at, auditUserName);
        at = put(b, at, sourceIp);
        put(b, at, userAgent);
        sha256.reset();
        return Arrays.copyOf(sha256.digest(b), DIGEST_BYTES);
    }

    /** A new SHA-256 instance, for {@link #digest(MessageDigest)}. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static int put(byte[] b, int at, String s) {
        int n = s == null ? -1 : s.length();
        b[at] = (byte) (n >>> 24);
        b[at + 1] = (byte) (n >>> 16);
        b[at + 2] = (byte) (n >>> 8);
        b[at + 3] = (byte) n;
        at += 4;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            b[at] = (byte) (c >>> 8);
            b[at + 1] = (byte) c;
            at += 2;
        }
        return at;
    }

    @Override
    public String toString() {
        return "(" + userName + ", " + auditUserName + ", " + sourceIp + ", " + userAgent + ")";
    }
}
