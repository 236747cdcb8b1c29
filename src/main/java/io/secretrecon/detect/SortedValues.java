package io.secretrecon.detect;

import java.util.Arrays;

/** Sorted, distinct String arrays (Java String order) as small value sets. Null is the empty set. */
final class SortedValues {

    private SortedValues() {}

    /** The {@code cap} smallest of a sorted distinct array (the array itself when it is no longer). */
    static String[] first(String[] a, int cap) {
        return a == null || a.length <= cap ? a : Arrays.copyOf(a, cap);
    }

    /** The union of two sorted distinct arrays, keeping the {@code cap} smallest values. */
    static String[] union(String[] a, String[] b, int cap) {
        if (b == null || b.length == 0) {
            return a;
        }
        if (a == null || a.length == 0) {
            return b.length <= cap ? b : Arrays.copyOf(b, cap);
        }
        String[] out = new String[Math.min(a.length + b.length, cap)];
        int i = 0;
        int j = 0;
        int n = 0;
        while (n < out.length && (i < a.length || j < b.length)) {
            int c = i == a.length ? 1 : j == b.length ? -1 : a[i].compareTo(b[j]);
            if (c < 0) {
                out[n++] = a[i++];
            } else if (c > 0) {
                out[n++] = b[j++];
            } else {
                out[n++] = a[i++];
                j++;
            }
        }
        if (n == a.length && Arrays.equals(out, 0, n, a, 0, n)) {
            return a;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Adds one value (nullable) to a sorted distinct array, keeping the {@code cap} smallest. */
    static String[] add(String[] a, String value, int cap) {
        if (value == null) {
            return a;
        }
        if (a == null) {
            return cap > 0 ? new String[] {value} : a;
        }
        int at = Arrays.binarySearch(a, value);
        if (at >= 0) {
            return a;
        }
        int insert = -at - 1;
        if (insert >= cap) {
            return a;
        }
        int length = Math.min(a.length + 1, cap);
        String[] out = new String[length];
        System.arraycopy(a, 0, out, 0, insert);
        out[insert] = value;
        System.arraycopy(a, insert, out, insert + 1, length - insert - 1);
        return out;
    }
}
