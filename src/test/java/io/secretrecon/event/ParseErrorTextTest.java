package io.secretrecon.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which parser messages a dead letter's detail may quote. */
class ParseErrorTextTest {

    private final AuditRecordParser parser = new AuditRecordParser(1 << 20);

    @Test
    void anErrorBeforeAnyHazardIsQuoted() {
        assertThat(detail("{\"verb\":gett,\"requestObject\":{}}")).isEqualTo(
                "invalid JSON: Unrecognized token 'gett': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
    }

    @Test
    void anErrorAfterAPayloadKeyIsWithheldInAnyCaseOrEscaping() {
        for (String key : new String[] {"requestObject", "ResponseObject", "request\\u004fbject"}) {
            assertThat(detail("{\"" + key + "\":{\"password\":S3CRET}}")).as(key)
                    .isEqualTo("invalid JSON: syntax error at line 1, column " + (key.length() + 24)
                            + " (message withheld: it may quote requestObject/responseObject)");
        }
    }

    @Test
    void anErrorAfterAPatchAnnotationIsWithheld() {
        assertThat(detail("{\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_0\":S3CRET}}"))
                .endsWith("(message withheld: it may quote a webhook patch annotation)");
    }

    @Test
    void anErrorWithoutBytePositionIsWithheldUnlessTheRecordIsClean() {
        byte[] utf16 = "{\"password\":S3CRET}".getBytes(StandardCharsets.UTF_16LE);

        assertThat(detail(utf16)).doesNotContain("S3CRET").contains("message withheld");
    }

    @Test
    void jacksonsMessageAboutTheBadByteItselfIsQuoted() {
        byte[] invalid = {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'};
        byte[] control = {'{', '"', 'a', '"', ':', '"', 1, '"', '}'};

        assertThat(detail(invalid)).isEqualTo("invalid JSON: Invalid UTF-8 start byte 0xff");
        assertThat(detail(control)).startsWith("invalid JSON: Illegal unquoted character ((CTRL-CHAR, code 1))");
        assertThat(detail("{\"a\":\"x\\qy\"}")).isEqualTo("invalid JSON: Unrecognized character escape 'q' (code 113)");
    }

    @Test
    void aTokenRunningPastAnInvalidByteIsWithheld() {
        byte[] overlongKey = concat("{\"request".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC1, (byte) 0x8F},
                "bject\":{\"p\":S3CRET}}".getBytes(StandardCharsets.UTF_8));

        assertThat(detail(overlongKey)).doesNotContain("S3CRET").endsWith("(message withheld: it may quote text that is not UTF-8)");
    }

    @Test
    void aTokenThatNamesAPayloadIsWithheld() {
        assertThat(detail("{\"verb\":gettrequestObjectS3CRET}")).doesNotContain("S3CRET").contains("message withheld");
    }

    private String detail(String record) {
        return detail(record.getBytes(StandardCharsets.UTF_8));
    }

    private String detail(byte[] record) {
        List<ParsedRecord> out = new ArrayList<>();
        parser.parse(record, 0, record.length, RecordOrigin.fileLine("f", 1), null, out::add);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).deadLetter).isNotNull();
        return out.get(0).deadLetter.detail;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
