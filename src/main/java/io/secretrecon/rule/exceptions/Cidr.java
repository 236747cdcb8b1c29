package io.secretrecon.rule.exceptions;

import io.secretrecon.event.IpAddresses;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A CIDR block, compared as Elasticsearch compares {@code ip} values: every address as 16 bytes,
 * IPv4 as its IPv4-mapped IPv6 form. So {@code 10.0.0.0/8} and {@code ::ffff:10.0.0.0/104} are the
 * same block, an IPv4 block never holds an IPv6 address, and {@code ::ffff:127.0.0.1} (which the
 * parser already turns into {@code 127.0.0.1}) is inside {@code 127.0.0.0/8}. Addresses are first
 * brought to canonical form with {@link IpAddresses#canonical}, so whatever the parser accepts as
 * an IP is accepted here, and nothing else. Host bits below the prefix are ignored
 * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
 */
public final class Cidr implements Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address/prefix} or a single address.
     *
     * @throws IllegalArgumentException if it is not an IP literal with a prefix length in range
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean writtenAsV6 = address.indexOf(':') >= 0;
        byte[] bytes = bytes(IpAddresses.canonical(address));
        int max = writtenAsV6 ? 128 : 32;
        int prefix = max;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not a CIDR prefix length: '" + shown(text) + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length above " + max + ": '" + shown(text) + "'");
            }
        }
        int bits = writtenAsV6 ? prefix : 96 + prefix;
        return new Cidr(mask(bytes, bits), bits);
    }

    /** Whether the canonical address {@code ip} is inside the block. */
    public boolean contains(String canonicalIp) {
        byte[] b;
        try {
            b = bytes(canonicalIp);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Arrays.equals(mask(b, prefix), network);
    }

    private static byte[] mask(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < 16; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /**
     * The 16 bytes of an address in canonical form (a dotted quad, or RFC 5952 IPv6, which never
     * embeds a dotted quad). IPv4 becomes {@code ::ffff:a.b.c.d}.
     */
    static byte[] bytes(String canonical) {
        byte[] out = new byte[16];
        if (canonical.indexOf(':') < 0) {
            String[] parts = canonical.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IP address: '" + shown(canonical) + "'");
            }
            out[10] = (byte) 0xff;
            out[11] = (byte) 0xff;
            for (int i = 0; i < 4; i++) {
                out[12 + i] = (byte) Integer.parseInt(parts[i]);
            }
            return out;
        }
        int gap = canonical.indexOf("::");
        String[] head = gap < 0 ? canonical.split(":", -1) : groups(canonical.substring(0, gap));
        String[] tail = gap < 0 ? new String[0] : groups(canonical.substring(gap + 2));
        if (head.length + tail.length > 8) {
            throw new IllegalArgumentException("not an IP address: '" + shown(canonical) + "'");
        }
        for (int i = 0; i < head.length; i++) {
            put(out, i, head[i]);
        }
        for (int i = 0; i < tail.length; i++) {
            put(out, 8 - tail.length + i, tail[i]);
        }
        return out;
    }

    private static String[] groups(String s) {
        return s.isEmpty() ? new String[0] : s.split(":", -1);
    }

    private static void put(byte[] out, int group, String hex) {
        int v = Integer.parseInt(hex, 16);
        out[2 * group] = (byte) (v >>> 8);
        out[2 * group + 1] = (byte) v;
    }

    private static String shown(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    @Override
    public String toString() {
        return Arrays.toString(network) + "/" + prefix;
    }
}
