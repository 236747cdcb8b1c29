package io.secretrecon.event;

/**
 * Parses IP addresses and renders them in Elasticsearch's canonical text form, the form in which
 * the rule compares and groups {@code source.ip}: IPv4 as a dotted quad, IPv6 compressed and
 * lower-case (RFC 5952), and an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as plain IPv4.
 *
 * <p>Parsing follows Elasticsearch's {@code InetAddresses}: no host names, no zone ids, and IPv4
 * octets with a leading zero are refused (they are ambiguous between decimal and octal).
 */
public final class IpAddresses {

    private IpAddresses() {}

    /**
     * Returns the canonical form of {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not an IPv4 or IPv6 literal
     */
    public static String canonical(String text) {
        if (text.indexOf(':') < 0) {
            byte[] v4 = parseIpv4(text, 0, text.length());
            if (v4 == null) {
                throw invalid(text);
            }
            return formatIpv4(v4, 0);
        }
        byte[] v6 = parseIpv6(text);
        if (v6 == null) {
            throw invalid(text);
        }
        if (isIpv4Mapped(v6)) {
            return formatIpv4(v6, 12);
        }
        return formatIpv6(v6);
    }

    private static IllegalArgumentException invalid(String text) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return new IllegalArgumentException("not an IP address: '" + shown + "'");
    }

    private static byte[] parseIpv4(String s, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int i = from;
        while (part < 4) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 4) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (part < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == to ? out : null;
    }

    private static byte[] parseIpv6(String s) {
        int len = s.length();
        if (len < 2 || len > 45) {
            return null;
        }
        int[] groups = new int[8];
        int count = 0;
        int compressAt = -1;
        int i = 0;
        if (s.startsWith("::")) {
            compressAt = 0;
            i = 2;
            if (i == len) {
                return new byte[16];
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        byte[] tailV4 = null;
        while (i < len) {
            if (count == 8) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < len && i - start <= 4) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) {
                    break;
                }
                value = (value << 4) | d;
                i++;
            }
            if (i < len && s.charAt(i) == '.') {
                // embedded IPv4 in the last 32 bits
                tailV4 = parseIpv4(s, start, len);
                if (tailV4 == null || count > 6) {
                    return null;
                }
                i = len;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                return null;
            }
            groups[count++] = value;
            if (i == len) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < len && s.charAt(i) == ':') {
                if (compressAt >= 0) {
                    return null;
                }
                compressAt = count;
                i++;
                if (i == len) {
                    break;
                }
            } else if (i == len) {
                return null; // trailing single colon
            }
        }
        int total = count + (tailV4 != null ? 2 : 0);
        if (compressAt < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int[] full = new int[8];
        if (compressAt < 0) {
            System.arraycopy(groups, 0, full, 0, count);
        } else {
            System.arraycopy(groups, 0, full, 0, compressAt);
            int tailGroups = count - compressAt;
            int tailEnd = tailV4 != null ? 6 : 8;
            System.arraycopy(groups, compressAt, full, tailEnd - tailGroups, tailGroups);
        }
        for (int g = 0; g < 8; g++) {
            out[2 * g] = (byte) (full[g] >>> 8);
            out[2 * g + 1] = (byte) full[g];
        }
        if (tailV4 != null) {
            System.arraycopy(tailV4, 0, out, 12, 4);
        }
        return out;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static String formatIpv4(byte[] b, int from) {
        return (b[from] & 0xff) + "." + (b[from + 1] & 0xff) + "." + (b[from + 2] & 0xff) + "." + (b[from + 3] & 0xff);
    }

    private static String formatIpv6(byte[] b) {
        int[] h = new int[8];
        for (int i = 0; i < 8; i++) {
            h[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (h[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && h[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(h[i]));
        }
        return sb.toString();
    }
}
