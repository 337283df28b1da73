package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * HTTPS as an operator turns it on: a PEM certificate and key given with --tls-cert and --tls-key to the service
 * started from its command line. A client that trusts that certificate reaches it; plain HTTP on the port does not.
 */
class TlsIT {
    @TempDir
    Path dir;

    @Test
    void servesHttpsWithThePemCertificateAndKey() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);
        int port = ServiceProcess.freePort();
        HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(cert))
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://127.0.0.1:" + port;

        try (ServiceProcess service = ServiceProcess.start("tls-it", "/gpu-docker-api-tls-it", List.of(
                "-a", "127.0.0.1:" + port, "--tls-cert", cert.toString(), "--tls-key=" + key,
                "--gda.auth.admin-token=" + IntegrationTestBase.ADMIN_TOKEN))) {
            service.awaitUp(() -> status(https, base + "/ping", null) == 200);

            HttpResponse<String> list = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/replicaSet"))
                    .header("Authorization", "Bearer " + IntegrationTestBase.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            JsonNode envelope = Api.JSON.readTree(list.body());
            assertThat(envelope.path("code").asInt()).isEqualTo(200);
            assertThat(envelope.path("data").isArray()).isTrue();
            assertThat(status(https, base + "/api/v1/replicaSet", null)).as("no token over TLS either").isEqualTo(401);

            HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(status(plain, "http://127.0.0.1:" + port + "/ping", null)).as("plain HTTP on the HTTPS port").isNotEqualTo(200);
            assertThat(service.output()).doesNotContain(IntegrationTestBase.ADMIN_TOKEN);
        }
    }

    /** The HTTP status, or -1 when no HTTP answer came (refused, reset, handshake failed). */
    static int status(HttpClient client, String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A certificate for 127.0.0.1 and localhost, made here with openssl: nothing is fetched. */
    private static void selfSigned(Path cert, Path key) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("openssl: %s", out).isZero();
        assertThat(Files.readString(key)).contains("PRIVATE KEY");
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("gda", c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
