package io.gpudocker.config;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The etcd client's TLS, as etcdctl's --cacert, --cert and --key set it: the CA bundle the members' certificates are
 * checked against (else the JVM's default trust) and the client certificate etcd's --client-cert-auth asks for.
 * Each member's certificate is checked against the host of its own endpoint (jetcd names each address's authority).
 */
final class EtcdTls {
    private EtcdTls() {}

    /** Refuses settings that cannot work, at start, naming the setting: mixed schemes, a lone cert or key, unreadable or unparsable files. */
    static void check(List<String> endpoints, boolean tlsFiles, String caFile, String certFile, String keyFile) {
        List<String> plain = endpoints.stream().filter(e -> e.startsWith("http://")).toList();
        boolean https = endpoints.stream().anyMatch(e -> e.startsWith("https://"));
        if (!plain.isEmpty() && https) {
            throw new IllegalArgumentException("gda.etcd.endpoints mix http:// and https:// (" + String.join(",", endpoints)
                    + "); one client speaks either plain gRPC or TLS to every member");
        }
        if (!plain.isEmpty() && tlsFiles) {
            throw new IllegalArgumentException("etcd endpoint '" + plain.get(0) + "' is plain http, but a CA file or client certificate is set"
                    + " (--etcd-cacert/--etcd-cert, gda.etcd.ca-file/cert-file); give the endpoint as https://host:port or host:port");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("the etcd client certificate needs both --etcd-cert and --etcd-key (gda.etcd.cert-file and gda.etcd.key-file); got only "
                    + (certFile != null ? "the certificate" : "the key"));
        }
        readable("--etcd-cacert (gda.etcd.ca-file)", caFile);
        readable("--etcd-cert (gda.etcd.cert-file)", certFile);
        readable("--etcd-key (gda.etcd.key-file)", keyFile);
        if (https || tlsFiles) {
            build(caFile, certFile, keyFile);
        }
    }

    /** The client's TLS context; null where the endpoints are plain http. */
    static SslContext sslContext(GdaProperties.Etcd etcd) {
        return etcd.tls() ? build(etcd.caFile(), etcd.certFile(), etcd.keyFile()) : null;
    }

    private static SslContext build(String caFile, String certFile, String keyFile) {
        SslContextBuilder builder = GrpcSslContexts.forClient();
        if (caFile != null) {
            try {
                builder.trustManager(new File(caFile));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--etcd-cacert (gda.etcd.ca-file) " + caFile + " holds no PEM certificate (BEGIN CERTIFICATE): " + rootMessage(e), e);
            }
        }
        if (certFile != null) {
            try {
                builder.keyManager(new File(certFile), new File(keyFile));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the etcd client certificate " + certFile + " or its key " + keyFile
                        + " cannot be read as PEM (a certificate, and an unencrypted private key; an encrypted one can be converted with"
                        + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem): " + rootMessage(e), e);
            }
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the etcd TLS settings do not make a TLS client: " + rootMessage(e), e);
        }
    }

    private static void readable(String setting, String file) {
        if (file != null && !(Files.isRegularFile(Path.of(file)) && Files.isReadable(Path.of(file)))) {
            throw new IllegalArgumentException(setting + " " + file + " is not a readable file");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
