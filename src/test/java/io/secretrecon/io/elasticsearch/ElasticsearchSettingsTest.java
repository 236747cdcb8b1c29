package io.secretrecon.io.elasticsearch;

import io.secretrecon.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElasticsearchSettingsTest {

    private static final String SECRET = "s3cr3t-Pa55word";

    @TempDir
    Path tmp;

    @Test
    void defaultsAreTheDocumentedOnes() {
        ElasticsearchSettings s = ElasticsearchSettings.from(Map.of(ElasticsearchSettings.HOSTS, "http://127.0.0.1:9200"));

        assertThat(s.hosts()).containsExactly("http://127.0.0.1:9200");
        assertThat(s.index()).isEqualTo("alerts-k8s-secret-recon");
        assertThat(s.authorizationHeader()).isNull();
        assertThat(s.bulkMaxActions()).isEqualTo(1000);
        assertThat(s.bulkMaxBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(s.bulkFlushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.bulkMaxInFlight()).isEqualTo(2);
        assertThat(s.retryInitialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.installTemplate()).isTrue();
        for (String key : List.of(ElasticsearchSettings.HOSTS, ElasticsearchSettings.INDEX, ElasticsearchSettings.USERNAME,
                ElasticsearchSettings.PASSWORD, ElasticsearchSettings.API_KEY, ElasticsearchSettings.CA_FILE,
                ElasticsearchSettings.TEMPLATE_INSTALL, ElasticsearchSettings.CONNECT_TIMEOUT,
                ElasticsearchSettings.REQUEST_TIMEOUT, ElasticsearchSettings.BULK_MAX_ACTIONS,
                ElasticsearchSettings.BULK_MAX_BYTES, ElasticsearchSettings.BULK_FLUSH_INTERVAL,
                ElasticsearchSettings.BULK_MAX_IN_FLIGHT, ElasticsearchSettings.RETRY_INITIAL_BACKOFF,
                ElasticsearchSettings.RETRY_MAX_BACKOFF)) {
            assertThat(io.secretrecon.config.Settings.byKey(key)).as("%s is defined in config.Settings", key).isNotNull();
        }
    }

    @Test
    void hostsAreAListOfUrlsNormalisedToSchemeHostAndPort() {
        ElasticsearchSettings s = ElasticsearchSettings.from(Map.of(ElasticsearchSettings.HOSTS,
                " http://es-1:9200 , https://es-2 ,http://[::1]:9201/"));

        assertThat(s.hosts()).containsExactly("http://es-1:9200", "https://es-2:9200", "http://[::1]:9201");
    }

    @Test
    void everyBadValueNamesItsKey() {
        assertError(Map.of(), ElasticsearchSettings.HOSTS, "required");
        assertError(Map.of(ElasticsearchSettings.HOSTS, "127.0.0.1:9200"), ElasticsearchSettings.HOSTS, "http://");
        assertError(Map.of(ElasticsearchSettings.HOSTS, "http://h:9200/es"), ElasticsearchSettings.HOSTS, "without a path");
        assertError(Map.of(ElasticsearchSettings.HOSTS, "http://elastic:" + SECRET + "@h:9200"), ElasticsearchSettings.HOSTS, "credentials");
        assertError(hosts(ElasticsearchSettings.INDEX, "Alerts"), ElasticsearchSettings.INDEX, "lower case");
        assertError(hosts(ElasticsearchSettings.INDEX, "_alerts"), ElasticsearchSettings.INDEX, "must not start");
        assertError(hosts(ElasticsearchSettings.INDEX, "a*"), ElasticsearchSettings.INDEX, "'*'");
        assertError(hosts(ElasticsearchSettings.BULK_MAX_ACTIONS, "0"), ElasticsearchSettings.BULK_MAX_ACTIONS, "between 1");
        assertError(hosts(ElasticsearchSettings.BULK_MAX_BYTES, "lots"), ElasticsearchSettings.BULK_MAX_BYTES, "memory size");
        assertError(hosts(ElasticsearchSettings.BULK_FLUSH_INTERVAL, "soon"), ElasticsearchSettings.BULK_FLUSH_INTERVAL, "duration");
        assertError(hosts(ElasticsearchSettings.RETRY_MAX_BACKOFF, "10ms"), ElasticsearchSettings.RETRY_MAX_BACKOFF, "shorter");
        assertError(hosts(ElasticsearchSettings.TEMPLATE_INSTALL, "yes"), ElasticsearchSettings.TEMPLATE_INSTALL, "true or false");
        assertError(hosts("elasticsearch.hostz", "x"), "elasticsearch.hostz", "unknown");
        assertError(hosts(ElasticsearchSettings.CA_FILE, tmp.resolve("missing.pem").toString()), ElasticsearchSettings.CA_FILE, "cannot read");
    }

    @Test
    void credentialsComeInPairsAndNeverShowUp() {
        assertError(hosts(ElasticsearchSettings.USERNAME, "elastic"), ElasticsearchSettings.PASSWORD, "required");
        assertError(hosts(ElasticsearchSettings.PASSWORD, SECRET), ElasticsearchSettings.USERNAME, "required");
        Map<String, String> both = hosts(ElasticsearchSettings.USERNAME, "elastic");
        both.put(ElasticsearchSettings.PASSWORD, SECRET);
        both.put(ElasticsearchSettings.API_KEY, SECRET);
        assertError(both, ElasticsearchSettings.API_KEY, "not both");

        Map<String, String> basic = hosts(ElasticsearchSettings.USERNAME, "elastic");
        basic.put(ElasticsearchSettings.PASSWORD, SECRET);
        ElasticsearchSettings s = ElasticsearchSettings.from(basic);
        assertThat(s.authorizationHeader()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString(("elastic:" + SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(s.toString()).contains("basic auth as elastic").doesNotContain(SECRET);

        ElasticsearchSettings key = ElasticsearchSettings.from(hosts(ElasticsearchSettings.API_KEY, "id1:" + SECRET));
        assertThat(key.authorizationHeader()).startsWith("ApiKey ").doesNotContain(SECRET);
        assertThat(key.toString()).contains("an API key").doesNotContain(SECRET);
        assertThat(ElasticsearchSettings.from(hosts(ElasticsearchSettings.API_KEY, "ZW5jb2RlZA==")).authorizationHeader())
                .isEqualTo("ApiKey ZW5jb2RlZA==");
    }

    @Test
    void theCaFileMustHoldCertificatesAndBeUsedWithHttps() throws Exception {
        Path notPem = tmp.resolve("not.pem");
        Files.writeString(notPem, "hello");
        Map<String, String> https = new HashMap<>(Map.of(ElasticsearchSettings.HOSTS, "https://es:9200",
                ElasticsearchSettings.CA_FILE, notPem.toString()));
        assertError(https, ElasticsearchSettings.CA_FILE, "X.509");

        Path pem = tmp.resolve("ca.pem");
        Files.writeString(pem, TEST_CA);
        https.put(ElasticsearchSettings.CA_FILE, pem.toString());
        assertThat(ElasticsearchSettings.from(https).caCertificates()).isNotEmpty();
        assertError(hosts(ElasticsearchSettings.CA_FILE, pem.toString()), ElasticsearchSettings.CA_FILE, "no host");
    }

    private static Map<String, String> hosts(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put(ElasticsearchSettings.HOSTS, "http://127.0.0.1:9200");
        m.put(key, value);
        return m;
    }

    private static void assertError(Map<String, String> values, String key, String fragment) {
        assertThatThrownBy(() -> ElasticsearchSettings.from(values))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(fragment)
                .message().doesNotContain(SECRET);
    }

    /** A self-signed test certificate (CN=secret-recon-test-ca, key thrown away): only parsed, never trusted. */
    static final String TEST_CA = String.join("\n",
            "-----BEGIN CERTIFICATE-----",
            "MIIBkzCCATmgAwIBAgIUGB/D99uAFGey9r/pSO6PmCnS8dgwCgYIKoZIzj0EAwIw",
            "HzEdMBsGA1UEAwwUc2VjcmV0LXJlY29uLXRlc3QtY2EwHhcNMjYxMjAzMDc0MzQ1",
            "WhcNMzYxMTMwMDc0MzQ1WjAfMR0wGwYDVQQDDBRzZWNyZXQtcmVjb24tdGVzdC1j",
            "YTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLBcoItKMRmHNURmxRSgtj847qbQ",
            "ZGvjKpzLejxQpb3vdh+S0D/ME034Yyae8bHGxBQ547DcgWoCF+fqcmBB6V2jUzBR",
            "MB0GA1UdDgQWBBTSjFL68dNsxle+3anA5VwYziqDrzAfBgNVHSMEGDAWgBTSjFL6",
            "8dNsxle+3anA5VwYziqDrzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA",
            "MEUCIElXegNkPFDUaFj9uCjQr1BD6zEC14V8qCRpmGBfavN4AiEAzRMqUhoLErdq",
            "U0DMXq0RKjUS79WmDlREgiPGMKfTzqs=",
            "-----END CERTIFICATE-----", "");
}
