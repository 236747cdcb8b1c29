package io.secretrecon.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAddressesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "127.0.0.1, 127.0.0.1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "10.0.0.10, 10.0.0.10",
        "192.168.64.1, 192.168.64.1",
    })
    void ipv4IsADottedQuadAsWritten(String text, String canonical) {
        assertThat(IpAddresses.canonical(text)).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "::1, ::1",
        "::, ::",
        "0:0:0:0:0:0:0:0, ::",
        "2001:DB8::1, 2001:db8::1",
        "2001:0db8::0001, 2001:db8::1",
        "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "FE80::ABCD:00EF, fe80::abcd:ef",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:db8::0:1, 2001:db8::1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:2:3:4:5:6:7:0, 1:2:3:4:5:6:7:0",
        "0:1:2:3:4:5:6:7, 0:1:2:3:4:5:6:7",
        "1:2:3:4:5:6::, 1:2:3:4:5:6::",
        "1::, 1::",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    })
    void ipv6IsRfc5952(String text, String canonical) {
        assertThat(IpAddresses.canonical(text)).isEqualTo(canonical);
    }

    @Test
    void theLongestZeroRunIsCompressedAndTheLeftmostOnATie() {
        assertThat(IpAddresses.canonical("1:0:0:2:0:0:0:3")).isEqualTo("1:0:0:2::3");
        assertThat(IpAddresses.canonical("1:0:0:2:3:0:0:4")).isEqualTo("1::2:3:0:0:4");
    }

    @Test
    void aSingleZeroGroupIsNotCompressed() {
        assertThat(IpAddresses.canonical("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::ffff:127.0.0.1, 127.0.0.1",
        "::ffff:7f00:1, 127.0.0.1",
        "0:0:0:0:0:ffff:7f00:1, 127.0.0.1",
        "::FFFF:7F00:0001, 127.0.0.1",
        "0:0:0:0:0:ffff:10.1.2.3, 10.1.2.3",
        "::ffff:0:0, 0.0.0.0",
    })
    void ipv4MappedAddressesBecomeIpv4(String text, String canonical) {
        assertThat(IpAddresses.canonical(text)).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::1.2.3.4, ::102:304",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
        "::ffff:0:1.2.3.4, ::ffff:0:102:304",
    })
    void embeddedIpv4InIpv6StaysIpv6UnlessMapped(String text, String canonical) {
        assertThat(IpAddresses.canonical(text)).isEqualTo(canonical);
    }

    @Test
    void differentSpellingsOfOneAddressAreEqual() {
        assertThat(IpAddresses.canonical("2001:DB8::1")).isEqualTo(IpAddresses.canonical("2001:0db8::0001"));
        assertThat(IpAddresses.canonical("0:0:0:0:0:0:0:1")).isEqualTo(IpAddresses.canonical("::1"));
        assertThat(IpAddresses.canonical("::ffff:127.0.0.1")).isEqualTo(IpAddresses.canonical("127.0.0.1"));
    }

    @Test
    void canonicalFormIsAFixedPoint() {
        for (String text : new String[] {"2001:DB8:0:0:1::1", "::ffff:7f00:1", "::1.2.3.4", "fe80::1", "1:0:0:2:3:0:0:4"}) {
            String once = IpAddresses.canonical(text);
            assertThat(IpAddresses.canonical(once)).as(text).isEqualTo(once);
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "",
        " ",
        "localhost",
        "kubernetes.default.svc",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.256",
        "01.2.3.4",
        "1.2.3.04",
        "1..2.3",
        "1.2.3.",
        ".1.2.3",
        "1.2.3.4 ",
        " 1.2.3.4",
        "1.2.3.-4",
        "0x7f.0.0.1",
        ":",
        ":::",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7",
        "fe80::1%eth0",
        "fe80::1%1",
        "1:2:3:4:5:6:7:",
        "1::2:",
        ":1::2",
        "12345::1",
        "g::1",
        "::1 ",
        " ::1",
        "[::1]",
        "::ffff:1.2.3",
        "::ffff:256.1.2.3",
        "::ffff:01.2.3.4",
        "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3.4:5",
    })
    void invalidInputIsRefused(String text) {
        assertThatThrownBy(() -> IpAddresses.canonical(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address");
    }

    @Test
    void theErrorMessageShowsTheOffendingText() {
        assertThatThrownBy(() -> IpAddresses.canonical("example.com"))
                .hasMessageContaining("'example.com'");
    }
}
