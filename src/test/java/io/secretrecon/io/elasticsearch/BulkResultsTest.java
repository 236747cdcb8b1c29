package io.secretrecon.io.elasticsearch;

import io.secretrecon.io.elasticsearch.BulkResults.ItemOutcome;
import io.secretrecon.io.elasticsearch.BulkResults.RequestOutcome;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BulkResultsTest {

    @Test
    void itemsAreReadInRequestOrderWithElasticsearchsReason() throws Exception {
        String answer = "{\"errors\":true,\"items\":["
                + "{\"index\":{\"status\":201}},"
                + "{\"index\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[a]: version conflict, current version [2] is higher or equal to the one provided [2]\"}}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"document_parsing_exception\",\"reason\":\"[1:42] failed to parse field [user_agent.original] of type [long]\","
                + "\"caused_by\":{\"type\":\"illegal_argument_exception\",\"reason\":\"For input string: \\\"curl/8\\\"\"}}}},"
                + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"rejected execution\"}}},"
                + "{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\",\"reason\":\"primary shard is not active\"}}},"
                + "{\"index\":{\"_id\":\"x\",\"status\":200,\"_shards\":{\"total\":1},\"result\":\"updated\"}}]}";

        List<BulkResults.Item> items = BulkResults.parse(answer.getBytes(StandardCharsets.UTF_8));

        assertThat(items).extracting(BulkResults.Item::outcome).containsExactly(ItemOutcome.WRITTEN, ItemOutcome.UNCHANGED,
                ItemOutcome.REJECTED, ItemOutcome.RETRY, ItemOutcome.RETRY, ItemOutcome.WRITTEN);
        assertThat(items.get(2).error).isEqualTo("document_parsing_exception: [1:42] failed to parse field [user_agent.original]"
                + " of type [long] (caused by illegal_argument_exception: For input string: \"curl/8\")");
        assertThat(items.get(0).error).isNull();
    }

    @Test
    void anAnswerThatIsNotABulkAnswerIsAnError() {
        assertThatThrownBy(() -> BulkResults.parse("[]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> BulkResults.parse("{\"items\":[{\"index\":{}}]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("no status");
    }

    @Test
    void itemStatusesAreClassified() {
        assertThat(BulkResults.ofItem(200)).isEqualTo(ItemOutcome.WRITTEN);
        assertThat(BulkResults.ofItem(201)).isEqualTo(ItemOutcome.WRITTEN);
        assertThat(BulkResults.ofItem(409)).as("a replay: the index holds this revision or a newer one").isEqualTo(ItemOutcome.UNCHANGED);
        assertThat(BulkResults.ofItem(429)).isEqualTo(ItemOutcome.RETRY);
        assertThat(BulkResults.ofItem(500)).isEqualTo(ItemOutcome.RETRY);
        assertThat(BulkResults.ofItem(503)).isEqualTo(ItemOutcome.RETRY);
        assertThat(BulkResults.ofItem(400)).isEqualTo(ItemOutcome.REJECTED);
        assertThat(BulkResults.ofItem(404)).isEqualTo(ItemOutcome.REJECTED);
        assertThat(BulkResults.ofItem(413)).isEqualTo(ItemOutcome.REJECTED);
    }

    @Test
    void requestFailuresAreClassified() {
        assertThat(BulkResults.ofRequest(429)).isEqualTo(RequestOutcome.RETRY);
        assertThat(BulkResults.ofRequest(502)).isEqualTo(RequestOutcome.RETRY);
        assertThat(BulkResults.ofRequest(503)).isEqualTo(RequestOutcome.RETRY);
        assertThat(BulkResults.ofRequest(504)).isEqualTo(RequestOutcome.RETRY);
        assertThat(BulkResults.ofRequest(413)).isEqualTo(RequestOutcome.SPLIT);
        assertThat(BulkResults.ofRequest(400)).isEqualTo(RequestOutcome.FATAL);
        assertThat(BulkResults.ofRequest(401)).isEqualTo(RequestOutcome.FATAL);
        assertThat(BulkResults.ofRequest(403)).isEqualTo(RequestOutcome.FATAL);

        assertThat(BulkResults.retryable(new ConnectException("Connection refused"))).isTrue();
        assertThat(BulkResults.retryable(new SocketTimeoutException("30,000 milliseconds timeout"))).isTrue();
        assertThat(BulkResults.retryable(new java.net.UnknownHostException("es-1"))).isTrue();
        assertThat(BulkResults.retryable(new SSLHandshakeException("PKIX path building failed"))).as("a wrong CA file").isFalse();
        assertThat(BulkResults.retryable(new IllegalStateException("client closed"))).isFalse();
    }
}
