package io.gpudocker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gda.etcd: which endpoints speak TLS, and which TLS settings are refused at start, with what message. */
class EtcdSettingsTest {
    @TempDir
    Path dir;
    String ca;
    String cert;
    String key;
    KeyPair pair;

    @BeforeEach
    void pemFiles() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        pair = rsa.generateKeyPair();
        X500Principal subject = new X500Principal("CN=etcd-settings-test");
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))), subject, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        ca = write("ca.pem", pem("CERTIFICATE", certificate.getEncoded()));
        cert = write("client.pem", pem("CERTIFICATE", certificate.getEncoded()));
        key = write("client-key.pem", pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    }

    @Test
    void plainHostPortEndpointsAreHttpWithoutTlsSettings() {
        GdaProperties.Etcd etcd = etcd(List.of("10.0.0.1:2379", " 10.0.0.2:2379 "), null, null, null);
        assertThat(etcd.endpoints()).containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379");
        assertThat(etcd.tls()).isFalse();
        assertThat(EtcdTls.sslContext(etcd)).isNull();
    }

    @Test
    void aCaFileMakesPlainHostPortEndpointsHttps() {
        GdaProperties.Etcd etcd = etcd(List.of("a:2379", "b:2379", "https://c:2379"), ca, cert, key);
        assertThat(etcd.endpoints()).containsExactly("https://a:2379", "https://b:2379", "https://c:2379");
        assertThat(etcd.tls()).isTrue();
        SslContext ssl = EtcdTls.sslContext(etcd);
        assertThat(ssl).isNotNull();
        assertThat(ssl.isClient()).isTrue();
        assertThat(ssl.applicationProtocolNegotiator().protocols()).as("gRPC's HTTP/2 over TLS").contains("h2");
    }

    @Test
    void aTraditionalRsaKeyAsOpensslWritesItIsReadToo() throws Exception {
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(pair.getPrivate());
        }
        assertThat(traditional.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        String rsaKey = write("client-key-rsa.pem", traditional.toString());
        assertThat(EtcdTls.sslContext(etcd(List.of("a:2379"), ca, cert, rsaKey))).isNotNull();
    }

    @Test
    void aClientCertificateAloneAlsoMeansHttps() {
        assertThat(etcd(List.of("a:2379"), null, cert, key).endpoints()).containsExactly("https://a:2379");
    }

    @Test
    void anHttpsEndpointWithoutFilesTrustsWhatTheJvmTrusts() {
        GdaProperties.Etcd etcd = etcd(List.of("https://etcd.example:2379"), null, null, null);
        assertThat(etcd.tls()).isTrue();
        assertThat(EtcdTls.sslContext(etcd)).isNotNull();
    }

    @Test
    void blankSettingsCountAsUnset() {
        GdaProperties.Etcd etcd = etcd(List.of("a:2379"), " ", "", null);
        assertThat(etcd.tls()).isFalse();
        assertThat(etcd.caFile()).isNull();
        assertThat(etcd.certFile()).isNull();
    }

    @Test
    void mixedSchemesAreRefused() {
        assertThatThrownBy(() -> etcd(List.of("http://a:2379", "https://b:2379"), null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mix http:// and https://");
    }

    @Test
    void anExplicitHttpEndpointWithTlsFilesIsRefused() {
        assertThatThrownBy(() -> etcd(List.of("http://a:2379"), ca, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("etcd endpoint 'http://a:2379' is plain http, but a CA file or client certificate is set");
    }

    @Test
    void theCertificateAndTheKeyGoTogether() {
        assertThatThrownBy(() -> etcd(List.of("a:2379"), ca, cert, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs both --etcd-cert and --etcd-key").hasMessageEndingWith("got only the certificate");
        assertThatThrownBy(() -> etcd(List.of("a:2379"), ca, null, key))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("got only the key");
    }

    @Test
    void aMissingFileIsNamedWithItsFlag() {
        String missing = dir.resolve("nope.pem").toString();
        assertThatThrownBy(() -> etcd(List.of("a:2379"), missing, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--etcd-cacert (gda.etcd.ca-file) " + missing + " is not a readable file");
        assertThatThrownBy(() -> etcd(List.of("a:2379"), ca, cert, dir.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--etcd-key (gda.etcd.key-file) " + dir + " is not a readable file");
    }

    @Test
    void aCaFileWithoutCertificatesIsRefused() throws Exception {
        String garbage = write("garbage.pem", "not a certificate\n");
        assertThatThrownBy(() -> etcd(List.of("a:2379"), garbage, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--etcd-cacert (gda.etcd.ca-file) " + garbage + " holds no PEM certificate");
    }

    @Test
    void aKeyFileWithoutAPrivateKeyIsRefusedWithHowToConvertOne() {
        assertThatThrownBy(() -> etcd(List.of("a:2379"), ca, cert, cert))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the etcd client certificate " + cert + " or its key " + cert + " cannot be read as PEM")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    private GdaProperties.Etcd etcd(List<String> endpoints, String caFile, String certFile, String keyFile) {
        return new GdaProperties.Etcd(endpoints, "/gpu-docker-api", Duration.ofSeconds(2), caFile, certFile, keyFile);
    }

    private String write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII).toString();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
