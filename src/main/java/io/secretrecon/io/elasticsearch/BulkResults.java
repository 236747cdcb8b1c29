package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * What Elasticsearch's answers mean for the writer: the outcome of each bulk item, and whether a
 * failed request is tried again. Plain Java, tested without Elasticsearch.
 *
 * <ul>
 *   <li>Item 2xx: written. Item 409 (version conflict): Elasticsearch already holds this revision
 *       or a newer one, so a replay is a success.</li>
 *   <li>Item 429 (rejected execution) and 5xx (e.g. shards unavailable while the cluster
 *       recovers): tried again with backoff.</li>
 *   <li>Any other item 4xx (mapping errors, immense terms, ...): permanent; the alert goes to the
 *       dead-letter output with Elasticsearch's reason.</li>
 *   <li>Whole request: connection errors, timeouts, 429 and 5xx are tried again, forever, with
 *       backoff; 413 (body too large) is split; 401, 403 and other 4xx stop the job, because no
 *       alert can be written until the configuration is fixed.</li>
 * </ul>
 */
final class BulkResults {

    private BulkResults() {}

    enum ItemOutcome { WRITTEN, UNCHANGED, RETRY, REJECTED }

    enum RequestOutcome { RETRY, SPLIT, FATAL }

    /** One item of a bulk answer. */
    static final class Item {
        final int status;
        /** "type: reason (caused by ...)", or null without an error. */
        final String error;

        Item(int status, String error) {
            this.status = status;
            this.error = error;
        }

        ItemOutcome outcome() {
            return ofItem(status);
        }
    }

    static ItemOutcome ofItem(int status) {
        if (status >= 200 && status < 300) {
            return ItemOutcome.WRITTEN;
        }
        if (status == 409) {
            return ItemOutcome.UNCHANGED;
        }
        if (status == 429 || status >= 500) {
            return ItemOutcome.RETRY;
        }
        return ItemOutcome.REJECTED;
    }

    static RequestOutcome ofRequest(int status) {
        if (status == 429 || status >= 500 || status == 408) {
            return RequestOutcome.RETRY;
        }
        if (status == 413) {
            return RequestOutcome.SPLIT;
        }
        return RequestOutcome.FATAL;
    }

    /**
     * Whether a request that failed without an HTTP answer is tried again: connection refused or
     * reset, timeouts and unknown hosts (DNS during a restart) are; a TLS failure (a wrong CA file)
     * is not, and nor is anything that is not an I/O error.
     */
    static boolean retryable(Throwable error) {
        if (error instanceof SSLException) {
            return false;
        }
        return error instanceof IOException || error instanceof InterruptedIOException || error instanceof UnknownHostException;
    }

    /** The items of a bulk answer, in request order. */
    static List<Item> parse(byte[] body) throws IOException {
        List<Item> items = new ArrayList<>();
        try (JsonParser p = JsonTree.JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a bulk answer must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!name.equals("items")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) {
                    throw new IOException("bulk answer: items is not an array");
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    // {"index": {"status": 201, "error": {...}, ...}}
                    if (p.nextToken() != JsonToken.FIELD_NAME || p.nextToken() != JsonToken.START_OBJECT) {
                        throw new IOException("bulk answer: an item is not {\"<action>\": {...}}");
                    }
                    int status = -1;
                    String error = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (field.equals("status")) {
                            status = p.getIntValue();
                        } else if (field.equals("error")) {
                            error = JsonTree.describeError(readTree(p, v));
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (status < 0) {
                        throw new IOException("bulk answer: an item has no status");
                    }
                    items.add(new Item(status, error));
                    if (p.nextToken() != JsonToken.END_OBJECT) {
                        throw new IOException("bulk answer: an item holds more than one action");
                    }
                }
            }
        }
        return items;
    }

    private static Object readTree(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT || v == JsonToken.VALUE_STRING) {
                map.put(name, readTree(p, v));
            } else {
                if (v.isScalarValue()) {
                    map.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return map;
    }
}
