package io.secretrecon.event;

import io.secretrecon.event.PayloadText.Hazard;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadTextTest {

    @Test
    void aCleanTextIsSafeWhole() {
        String text = "{\"verb\":\"patch\",\"requestObjec\":1,\"a\":\"tab\\there \\u00e9\"}";

        PayloadText.Scan s = PayloadText.scan(text);

        assertThat(s.clean()).isTrue();
        assertThat(s.safeEnd()).isEqualTo(text.length());
    }

    @Test
    void aPayloadKeyInAnyCaseIsAMention() {
        for (String key : new String[] {"requestObject", "RequestObject", "REQUESTOBJECT", "responseObject", "reque\u017ftObject"}) {
            String text = "{\"verb\":\"get\",\"" + key + "\":{}}";

            assertThat(PayloadText.safeLength(text)).as(key).isEqualTo(text.indexOf(key));
            assertThat(PayloadText.scan(text).mention).isEqualTo(Hazard.PAYLOAD_KEY);
        }
    }

    @Test
    void aMentionBehindEscapesIsFoundAtTheStartOfItsEscapedForm() {
        String once = "{\"a\":1,\"\\u0072equest\\u004Fbject\":{}}";
        String twice = "{\"original\":\"{\\\\\"request\\\\u004fbject\\\\\":1}\"}";
        String lenient = "{\"a\":1,\"request\\x4fbject\":{}} and \\O";

        assertThat(PayloadText.safeLength(once)).isEqualTo(once.indexOf("\\u0072"));
        assertThat(PayloadText.safeLength(twice)).isEqualTo(twice.indexOf("request"));
        assertThat(PayloadText.safeLength(lenient)).isEqualTo(lenient.indexOf("request"));
    }

    @Test
    void aWebhookPatchAnnotationIsAMentionInEveryForm() {
        for (String key : new String[] {"patch.webhook.admission.k8s.io/round_0_index_0", "patch_webhook_admission_k8s_io/round_0_index_0",
            "Patch.Webhook.Admission.K8S.IO/round_0", "patch\":{\"webhook\":{\"admission\":{\"k8s\":{\"io/round_0"}) {
            String text = "{\"annotations\":{\"" + key + "\":\"x\"}}";

            assertThat(PayloadText.scan(text).mention).as(key).isEqualTo(Hazard.WEBHOOK_PATCH);
            assertThat(PayloadText.safeLength(text)).as(key).isEqualTo(text.indexOf(key));
        }
        assertThat(PayloadText.scan("{\"mutation.webhook.admission.k8s.io/round_0_index_0\":\"{}\",\"verb\":\"patch\"}").clean()).isTrue();
    }

    @Test
    void anEscapeNoReaderResolvesEndsTheSafeText() {
        assertThat(PayloadText.scan("ab\\u00zz").mention).isEqualTo(Hazard.UNRESOLVED_ESCAPE);
        assertThat(PayloadText.safeLength("ab\\u00zz")).isEqualTo(2);
        assertThat(PayloadText.safeLength("ab\\")).isEqualTo(2);
        assertThat(PayloadText.safeLength("ab\\u{4f")).isEqualTo(2);
        // Nested to more levels than are decoded: cut at the first backslash.
        String deep = "ab" + "\\".repeat(1 << (PayloadText.MAX_LEVELS + 1)) + "n";
        assertThat(PayloadText.safeLength(deep)).isEqualTo(2);
    }

    @Test
    void controlCharactersAndInvalidUtf8AreUnreadable() {
        byte[] utf16 = "{\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_16LE);
        byte[] invalid = {'{', '"', 'a', '"', ':', (byte) 0xC1, (byte) 0x8F, '}'};

        PayloadText.Scan a = PayloadText.scanUtf8(utf16, 0, utf16.length);
        PayloadText.Scan b = PayloadText.scanUtf8(invalid, 0, invalid.length);

        assertThat(a.cutBy()).isEqualTo(Hazard.CONTROL_CHARACTER);
        assertThat(a.safeEnd()).isEqualTo(1);
        assertThat(b.cutBy()).isEqualTo(Hazard.INVALID_UTF8);
        assertThat(b.safeEnd()).isEqualTo(5);
    }

    @Test
    void aMentionAfterInvalidUtf8IsStillFoundForMessages() {
        byte[] bytes = concat(new byte[] {'x', (byte) 0xFF}, "\"requestObject\"".getBytes(StandardCharsets.UTF_8));

        PayloadText.Scan s = PayloadText.scanUtf8(bytes, 0, bytes.length);

        assertThat(s.unreadableAt).isEqualTo(1);
        assertThat(s.mention).isEqualTo(Hazard.PAYLOAD_KEY);
        assertThat(s.mentionAt).isEqualTo(3);
    }

    @Test
    void positionsOfBytesAreByteOffsetsFromTheSliceStart() {
        byte[] bytes = "zz\u00e9\u20ac\"requestObject\"".getBytes(StandardCharsets.UTF_8);

        PayloadText.Scan s = PayloadText.scanUtf8(bytes, 2, bytes.length - 2);

        assertThat(s.mentionAt).isEqualTo(2 + 3 + 1);
    }

    @Test
    void aPayloadKeyIsAWholeSegment() {
        assertThat(PayloadText.isPayloadKey("requestObject")).isTrue();
        assertThat(PayloadText.isPayloadKey("kubernetes.audit.RequestObject.data")).isTrue();
        assertThat(PayloadText.isPayloadKey("RESPONSEOBJECT")).isTrue();
        assertThat(PayloadText.isPayloadKey("requestObjectSize")).isFalse();
        assertThat(PayloadText.isPayloadKey("myrequestObject")).isFalse();
        assertThat(PayloadText.isPayloadKey("kubernetes.audit.verb")).isFalse();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
