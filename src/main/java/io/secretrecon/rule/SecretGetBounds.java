package io.secretrecon.rule;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bounds the rule applies where it builds a {@link SecretGet}, so that the detector's keys and
 * state only ever hold bounded strings and a single event only reaches a bounded number of
 * fingerprints.
 *
 * <p>A value longer than {@code maxFieldLength} characters is cut to its first characters, then
 * {@code ~} and 16 hex digits of the SHA-256 of the whole value: {@code maxFieldLength + 1}
 * characters in all, a length no value kept as is can have. So two different long values stay
 * different (an attacker cannot merge names, or fingerprints, by making them long), the same
 * long value is always cut the same way (nor split one), and a cut value never equals an uncut
 * one.
 */
public final class SecretGetBounds implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Hex digits of the hash in a cut value. */
    static final int HASH_DIGITS = 16;
    /** The least {@code maxFieldLength}: room for a readable prefix before the hash. */
    public static final int MIN_FIELD_LENGTH = 32;

    /** No bounds: values are kept whole and every user agent is taken. */
    public static final SecretGetBounds NONE = new SecretGetBounds(Integer.MAX_VALUE - 1, Integer.MAX_VALUE);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final int maxFieldLength;
    private final int maxUserAgents;

    /**
     * @param maxFieldLength the longest value kept as is, at least {@value #MIN_FIELD_LENGTH}
     * @param maxUserAgents the most distinct user agents of one event that make a group each
     */
    public SecretGetBounds(int maxFieldLength, int maxUserAgents) {
        if (maxFieldLength < MIN_FIELD_LENGTH) {
            throw new IllegalArgumentException("the field length bound must be at least " + MIN_FIELD_LENGTH);
        }
        if (maxUserAgents < 1) {
            throw new IllegalArgumentException("at least one user agent per event must be taken");
        }
        this.maxFieldLength = maxFieldLength;
        this.maxUserAgents = maxUserAgents;
    }

    public int maxFieldLength() {
        return maxFieldLength;
    }

    public int maxUserAgents() {
        return maxUserAgents;
    }

    /** The value itself if it is at most {@code maxFieldLength} long, else its cut form; null stays null. */
    public String cut(String value) {
        if (value == null || value.length() <= maxFieldLength) {
            return value;
        }
        int prefix = maxFieldLength - HASH_DIGITS;
        if (Character.isHighSurrogate(value.charAt(prefix - 1))) {
            prefix--; // never half a surrogate pair: the cut value stays valid UTF-16
        }
        StringBuilder sb = new StringBuilder(maxFieldLength + 1).append(value, 0, prefix);
        while (sb.length() < maxFieldLength + 1 - HASH_DIGITS) {
            sb.append('~');
        }
        byte[] hash = sha256(value);
        for (int i = 0; i < HASH_DIGITS / 2; i++) {
            sb.append(HEX[(hash[i] >> 4) & 0xf]).append(HEX[hash[i] & 0xf]);
        }
        return sb.toString();
    }

    /** Each value cut; the same array when none is too long. */
    String[] cut(String[] values) {
        if (values == null) {
            return null;
        }
        String[] out = values;
        for (int i = 0; i < values.length; i++) {
            String c = cut(values[i]);
            if (c != values[i]) {
                if (out == values) {
                    out = values.clone();
                }
                out[i] = c;
            }
        }
        return out;
    }

    /** Over the UTF-16 code units, so that values differing only in unpaired surrogates differ. */
    private static byte[] sha256(String value) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        byte[] units = new byte[value.length() * 2];
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            units[2 * i] = (byte) (c >> 8);
            units[2 * i + 1] = (byte) c;
        }
        return sha.digest(units);
    }
}
