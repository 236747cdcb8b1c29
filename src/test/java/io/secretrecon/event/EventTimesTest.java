package io.secretrecon.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventTimesTest {

    private static final Instant REQUEST_RECEIVED = Instant.parse("2025-03-04T06:22:18.819Z");

    @Test
    void anApiServerTimestampIsTruncatedToMillis() {
        assertThat(parse("2025-03-04T06:22:18.819232Z")).isEqualTo(REQUEST_RECEIVED);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "2025-03-04T06:22:18Z, 2025-03-04T06:22:18.000Z",
        "2025-03-04T06:22:18.8Z, 2025-03-04T06:22:18.800Z",
        "2025-03-04T06:22:18.81Z, 2025-03-04T06:22:18.810Z",
        "2025-03-04T06:22:18.819Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.8199Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.81999Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.819999Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.8199999Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.81999999Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.819999999Z, 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.999999999Z, 2025-03-04T06:22:18.999Z",
    })
    void anyFractionFromNoneToNineDigitsIsTruncatedNotRounded(String text, String expected) {
        assertThat(parse(text)).isEqualTo(Instant.parse(expected));
    }

    @Test
    void tenFractionDigitsAreTooMany() {
        assertInvalid("2025-03-04T06:22:18.8192320000Z");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "2025-03-04T08:22:18.819+02:00",
        "2025-03-04T08:22:18.819+0200",
        "2025-03-04T08:22:18.819+02",
        "2025-03-04T00:52:18.819-05:30",
        "2025-03-04T00:52:18.819-0530",
        "2025-03-04T06:22:18.819+00:00",
        "2025-03-04T06:22:18.819-00:00",
        "2025-03-04T06:22:18.819z",
    })
    void offsetsAreApplied(String text) {
        assertThat(parse(text)).isEqualTo(REQUEST_RECEIVED);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "2025-03-04T06:22:18.819232+02:00",
        "2024-02-29T23:59:59.999-05:30",
        "1969-12-31T23:59:59.5Z",
        "2000-01-01T00:00:00+14:00",
        "1970-01-01T00:00:00Z",
        "2099-12-31T23:59:59.123456789Z",
    })
    void agreesWithJavaTime(String text) {
        Instant expected = OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
        assertThat(parse(text)).isEqualTo(expected);
    }

    @Test
    void noOffsetMeansUtc() {
        assertThat(parse("2025-03-04T06:22:18.819232")).isEqualTo(REQUEST_RECEIVED);
    }

    @Test
    void aDateAloneIsMidnightUtc() {
        assertThat(parse("2025-03-04")).isEqualTo(Instant.parse("2025-03-04T00:00:00Z"));
    }

    @Test
    void hourAndMinuteAreEnough() {
        assertThat(parse("2025-03-04T06:22")).isEqualTo(Instant.parse("2025-03-04T06:22:00Z"));
        assertThat(parse("2025-03-04T06:22Z")).isEqualTo(Instant.parse("2025-03-04T06:22:00Z"));
        assertThat(parse("2025-03-04T06:22+01:00")).isEqualTo(Instant.parse("2025-03-04T05:22:00Z"));
    }

    @Test
    void leapDaysExistOnlyInLeapYears() {
        assertThat(parse("2024-02-29T12:00:00Z")).isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
        assertThat(parse("2000-02-29")).isEqualTo(Instant.parse("2000-02-29T00:00:00Z"));
        assertInvalid("2025-02-29T12:00:00Z");
        assertInvalid("1900-02-29");
    }

    @Test
    void everyDayOfSeveralYearsAgreesWithJavaTime() {
        List<String> disagreeing = new ArrayList<>();
        for (LocalDate d = LocalDate.of(1896, 1, 1); d.isBefore(LocalDate.of(2104, 1, 1)); d = d.plusDays(1)) {
            if (EventTimes.parse(d.toString()) != d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()) {
                disagreeing.add(d.toString());
            }
        }
        assertThat(disagreeing).isEmpty();
    }

    @Test
    void epochMillisAsDigits() {
        assertThat(EventTimes.parse("1741069338819")).isEqualTo(REQUEST_RECEIVED.toEpochMilli());
        assertThat(EventTimes.parse("0")).isZero();
    }

    @Test
    void epochMillisWithAFractionAreFloored() {
        assertThat(EventTimes.parse("1741069338819.999")).isEqualTo(REQUEST_RECEIVED.toEpochMilli());
        assertThat(EventTimes.parse("1741069338819.0")).isEqualTo(REQUEST_RECEIVED.toEpochMilli());
    }

    @Test
    void negativeEpochMillisAreBefore1970AndFlooredTowardsThePast() {
        assertThat(EventTimes.parse("-1000")).isEqualTo(-1000L);
        assertThat(EventTimes.parse("-1.5")).isEqualTo(-2L);
        assertThat(EventTimes.parse("-1.0")).isEqualTo(-1L);
        assertThat(EventTimes.parse("-0.5")).isEqualTo(-1L);
    }

    @Test
    void jsonNumbersAreEpochMillisFloored() {
        assertThat(EventTimes.fromNumber(1741069338819.75)).isEqualTo(REQUEST_RECEIVED.toEpochMilli());
        assertThat(EventTimes.fromNumber(-0.25)).isEqualTo(-1L);
        assertThatThrownBy(() -> EventTimes.fromNumber(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTimes.fromNumber(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "",
        " ",
        "garbage",
        "yesterday",
        "-",
        ".5",
        "1.2.3",
        "12ab",
        "99999999999999999999",
        "2025-3-4",
        "25-03-04",
        "2025-00-04",
        "2025-13-04",
        "2025-03-00",
        "2025-03-32",
        "2025-02-30",
        "2025-04-31",
        "2025-03-04T",
        "2025-03-04T6:22:18Z",
        "2025-03-04T24:00:00Z",
        "2025-03-04T23:60:00Z",
        "2025-03-04T23:59:60Z",
        "2025-03-04T06:22:18.Z",
        "2025-03-04T06:22:18.819ZZ",
        "2025-03-04T06:22:18.819Z ",
        " 2025-03-04T06:22:18.819Z",
        "2025-03-04T06:22:18.819Zjunk",
        "2025-03-04T06:22:18.819+2",
        "2025-03-04T06:22:18.819+02:0",
        "2025-03-04T06:22:18.819+02:60",
        "2025-03-04T06:22:18.819+19:00",
        "2025-03-04T06:22:18.819+02:00:00",
        "2025-03-04T06:22:18.819 +02:00",
        "2025-03-04 06:22:18.819Z",
        "2025-03-04T06:22:18.８19Z",
        "2025-03-04T06:22:18.819UTC",
    })
    void invalidTextIsRefused(String text) {
        assertInvalid(text);
    }

    @Test
    void formatWritesUtcWithExactlyThreeFractionDigits() {
        assertThat(EventTimes.format(REQUEST_RECEIVED.toEpochMilli())).isEqualTo("2025-03-04T06:22:18.819Z");
        assertThat(EventTimes.format(Instant.parse("2025-03-04T06:22:00Z").toEpochMilli())).isEqualTo("2025-03-04T06:22:00.000Z");
        assertThat(EventTimes.format(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(EventTimes.format(-1)).isEqualTo("1969-12-31T23:59:59.999Z");
    }

    @Test
    void formatAndParseRoundTrip() {
        long millis = Instant.parse("2031-07-15T23:59:59.007Z").toEpochMilli();
        assertThat(EventTimes.parse(EventTimes.format(millis))).isEqualTo(millis);
    }

    // ---------------------------------------------------------------- helpers

    private static Instant parse(String text) {
        return Instant.ofEpochMilli(EventTimes.parse(text));
    }

    private static void assertInvalid(String text) {
        assertThatThrownBy(() -> EventTimes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unparsable timestamp");
    }

    @Test
    void aYearAndAYearMonthAreDatesAsInElasticsearch() {
        assertThat(EventTimes.parse("2025")).isEqualTo(java.time.Instant.parse("2025-01-01T00:00:00Z").toEpochMilli());
        assertThat(EventTimes.parse("2025-03")).isEqualTo(java.time.Instant.parse("2025-03-01T00:00:00Z").toEpochMilli());
        assertThat(EventTimes.parse("20250")).isEqualTo(20250L);
    }

    /**
     * The fixed-position reading of the canonical form must agree with the general parser on
     * every text: the same time where both accept it, and nothing where the general one fails.
     */
    @Test
    void theCanonicalFormIsReadAsTheGeneralParserReadsIt() {
        java.util.Random random = new java.util.Random(11);
        String[] seeds = {"2026-11-02T08:00:00.104Z", "2026-11-02T07:59:57.704482Z", "2024-02-29T23:59:59Z",
            "2023-02-29T00:00:00.1Z", "0000-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.999999999Z",
            "2025-04-31T12:00:00.5Z", "2025-03-04T24:00:00Z", "2025-03-04T06:60:18.81Z", "2025-03-04T06:22:60Z"};
        String alphabet = "0123456789-:.TZtz+ ";
        int canonical = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            for (int k = random.nextInt(4); k > 0; k--) {
                int at = random.nextInt(b.length() + 1);
                switch (random.nextInt(3)) {
                    case 0: if (at < b.length()) { b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length()))); } break;
                    case 1: b.insert(at, alphabet.charAt(random.nextInt(alphabet.length()))); break;
                    default: if (at < b.length()) { b.deleteCharAt(at); } break;
                }
            }
            String text = b.toString();
            long fast = EventTimes.canonicalUtc(text);
            Long general;
            try {
                general = EventTimes.parseAnyForm(text);
            } catch (IllegalArgumentException e) {
                general = null;
            }
            if (fast != Long.MIN_VALUE) {
                canonical++;
                assertThat(general).as(text).isEqualTo(fast);
            }
        }
        assertThat(canonical).as("texts in the canonical form").isGreaterThan(30_000);
    }
}
