package io.secretrecon.event;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Event-time parsing and formatting. Accepts what Elasticsearch's
 * {@code strict_date_optional_time||epoch_millis} accepts for the timestamps this job reads:
 * ISO-8601 ({@code 2025-03-04}, {@code 2025-03-04T06:22}, {@code 2025-03-04T06:22:18.819232Z},
 * any fraction length, offsets {@code Z}, {@code +02:00}, {@code +0200}, {@code +02}; no offset
 * means UTC) and epoch milliseconds (a JSON number or a string of digits, an optional fraction
 * is dropped). Times are truncated to milliseconds, as an Elasticsearch {@code date} field does.
 *
 * <p>Hand-written rather than {@code DateTimeFormatter}: it runs once per audit record.
 */
public final class EventTimes {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private EventTimes() {}

    /** Formats epoch milliseconds as ISO-8601 UTC with exactly three fraction digits. */
    public static String format(long epochMillis) {
        return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Epoch milliseconds from a JSON number. */
    public static long fromNumber(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("timestamp is not a finite number");
        }
        return (long) Math.floor(value);
    }

    /**
     * Epoch milliseconds from text.
     *
     * @throws IllegalArgumentException if the text is neither ISO-8601 nor epoch milliseconds
     */
    public static long parse(String s) {
        long canonical = canonicalUtc(s);
        return canonical != NOT_CANONICAL ? canonical : parseAnyForm(s);
    }

    /** Not a time {@link #canonicalUtc} can return: its years are 0000-9999. */
    private static final long NOT_CANONICAL = Long.MIN_VALUE;

    /**
     * The one form nearly every record holds, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} (Elastic's
     * {@code @timestamp} and {@code event.ingested}, the API server's timestamps), read at fixed
     * positions; {@link #NOT_CANONICAL} for anything else, which {@link #parseAnyForm} then reads
     * (and words the error of). Where both accept a text, they give the same time:
     * {@code EventTimesTest} compares them.
     */
    static long canonicalUtc(String s) {
        int len = s.length();
        if (len < 20 || len == 21 || len > 30 || s.charAt(len - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return NOT_CANONICAL;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || day > lengthOfMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
            return NOT_CANONICAL;
        }
        int millis = 0;
        if (len > 20) { // ".f{1,9}" between the seconds and the Z
            if (s.charAt(19) != '.') {
                return NOT_CANONICAL;
            }
            int fraction = digits(s, 20, len - 21);
            if (fraction < 0) {
                return NOT_CANONICAL;
            }
            int n = len - 21;
            millis = n >= 3 ? digits(s, 20, 3) : n == 2 ? fraction * 10 : fraction * 100;
        }
        long days = daysFromCivil(year, month, day);
        return (days * 86_400 + hour * 3600L + minute * 60L + second) * 1000 + millis;
    }

    /** The value of the {@code n} (at most 9) decimal digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Every form {@link #parse} accepts. */
    static long parseAnyForm(String s) {
        int len = s.length();
        if (len == 0) {
            throw invalid(s);
        }
        boolean year = s.length() == 4 && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
        if (isEpochMillis(s) && !year) { // four digits are a year: strict_date_optional_time is tried first
            int dot = s.indexOf('.');
            String whole = dot < 0 ? s : s.substring(0, dot);
            try {
                long millis = Long.parseLong(whole);
                boolean hasFraction = dot >= 0 && s.chars().skip(dot + 1).anyMatch(c -> c != '0');
                // floor: "-0.5" is -1 although its whole part parses as 0
                return (s.charAt(0) == '-' && hasFraction) ? millis - 1 : millis;
            } catch (NumberFormatException e) {
                throw invalid(s);
            }
        }
        return parseIso(s);
    }

    private static boolean isEpochMillis(String s) {
        int i = s.charAt(0) == '-' ? 1 : 0;
        if (i >= s.length()) {
            return false;
        }
        boolean digit = false;
        boolean dot = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !dot && digit) {
                dot = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    private static long parseIso(String s) {
        Cursor c = new Cursor(s);
        int year = c.digits(4);
        int month = 1;
        int day = 1;
        if (c.pos < s.length()) { // yyyy and yyyy-MM are dates too, as in Elasticsearch
            c.expect('-');
            month = c.digits(2);
            if (c.pos < s.length()) {
                c.expect('-');
                day = c.digits(2);
            }
        }
        if (month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)) {
            throw invalid(s);
        }
        long hour = 0;
        long minute = 0;
        long second = 0;
        long millis = 0;
        if (c.peek('T') || c.peek('t')) {
            c.pos++;
            hour = c.digits(2);
            if (c.peek(':')) {
                c.pos++;
                minute = c.digits(2);
                if (c.peek(':')) {
                    c.pos++;
                    second = c.digits(2);
                    if (c.peek('.') || c.peek(',')) {
                        c.pos++;
                        int start = c.pos;
                        int fractionMillis = 0;
                        while (c.pos < s.length() && s.charAt(c.pos) >= '0' && s.charAt(c.pos) <= '9') {
                            if (c.pos - start < 3) {
                                fractionMillis = fractionMillis * 10 + (s.charAt(c.pos) - '0');
                            }
                            c.pos++;
                        }
                        int n = c.pos - start;
                        if (n == 0 || n > 9) {
                            throw invalid(s);
                        }
                        for (int k = n; k < 3; k++) {
                            fractionMillis *= 10;
                        }
                        millis = fractionMillis;
                    }
                }
            }
            if (hour > 23 || minute > 59 || second > 59) {
                throw invalid(s);
            }
        }
        long offsetSeconds = 0;
        if (c.pos < s.length()) {
            char z = s.charAt(c.pos);
            if ((z == 'Z' || z == 'z') && c.pos + 1 == s.length()) {
                c.pos++;
            } else if (z == '+' || z == '-') {
                c.pos++;
                int oh = c.digits(2);
                int om = 0;
                if (c.peek(':')) {
                    c.pos++;
                    om = c.digits(2);
                } else if (c.pos < s.length()) {
                    om = c.digits(2);
                }
                if (oh > 18 || om > 59) {
                    throw invalid(s);
                }
                offsetSeconds = (z == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
            } else {
                throw invalid(s);
            }
        }
        if (c.pos != s.length()) {
            throw invalid(s);
        }
        long days = daysFromCivil(year, month, day);
        long secondsOfDay = hour * 3600 + minute * 60 + second;
        return (days * 86_400 + secondsOfDay - offsetSeconds) * 1000 + millis;
    }

    private static int lengthOfMonth(int year, int month) {
        switch (month) {
            case 2:
                boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                return leap ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    private static long daysFromCivil(long y, long m, long d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    private static IllegalArgumentException invalid(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return new IllegalArgumentException("unparsable timestamp '" + shown + "'");
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean peek(char ch) {
            return pos < s.length() && s.charAt(pos) == ch;
        }

        void expect(char ch) {
            if (!peek(ch)) {
                throw invalid(s);
            }
            pos++;
        }

        int digits(int n) {
            if (pos + n > s.length()) {
                throw invalid(s);
            }
            int v = EventTimes.digits(s, pos, n);
            if (v < 0) {
                throw invalid(s);
            }
            pos += n;
            return v;
        }
    }
}
