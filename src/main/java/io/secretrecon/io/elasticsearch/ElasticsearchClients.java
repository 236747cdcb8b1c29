package io.secretrecon.io.elasticsearch;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.Node;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/** Builds the low-level REST client that the template check and the writer share. */
final class ElasticsearchClients {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchClients.class);

    private ElasticsearchClients() {}

    static RestClient create(ElasticsearchSettings settings, int maxConnections) {
        List<HttpHost> hosts = new ArrayList<>();
        for (String h : settings.hosts()) {
            hosts.add(HttpHost.create(h));
        }
        RestClientBuilder builder = RestClient.builder(hosts.toArray(new HttpHost[0]));
        String authorization = settings.authorizationHeader();
        if (authorization != null) {
            // Pre-emptive: no 401 round trip per connection, and the same for basic auth and API keys.
            builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", authorization)});
        }
        builder.setRequestConfigCallback(config -> config
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setSocketTimeout((int) settings.requestTimeout().toMillis())
                .setConnectionRequestTimeout(0));
        SSLContext ssl = sslContext(settings);
        builder.setHttpClientConfigCallback(client -> {
            client.setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections);
            if (ssl != null) {
                client.setSSLContext(ssl);
            }
            return client;
        });
        builder.setFailureListener(new RestClient.FailureListener() {
            @Override
            public void onFailure(Node node) {
                LOG.warn("Elasticsearch node {} failed; requests go to the other nodes, and to it again after a while", node.getHost());
            }
        });
        return builder.build();
    }

    private static SSLContext sslContext(ElasticsearchSettings settings) {
        byte[] pem = settings.caCertificates();
        if (pem == null) {
            return null;
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + ElasticsearchSettings.CA_FILE + ": " + e.getMessage(), e);
        }
    }
}
