package io.gpudocker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.netty.handler.codec.DecoderException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What an etcd failure's message says: gRPC's status, then the transport's reason beneath it, on one line. */
class EtcdFailureReasonTest {
    private static final String PIPELINE = "\nChannel Pipeline: [SslHandler#0, ProtocolNegotiators$ClientTlsHandler#0]";

    @Test
    void aRefusedClientCertificateIsNamed() {
        Throwable failure = Status.UNAVAILABLE.withDescription("ssl exception" + PIPELINE)
                .withCause(new DecoderException(new SSLHandshakeException("Received fatal alert: bad_certificate"))).asRuntimeException();
        assertThat(EtcdKeyValueStore.describe(failure)).isEqualTo("UNAVAILABLE: ssl exception (Received fatal alert: bad_certificate)");
    }

    @Test
    void anUntrustedMemberCertificateIsNamed() {
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed: unable to find valid certification path to requested target");
        untrusted.initCause(new IllegalStateException("deeper detail"));
        Throwable failure = Status.UNAVAILABLE.withDescription("io exception" + PIPELINE).withCause(untrusted).asRuntimeException();
        assertThat(EtcdKeyValueStore.describe(failure))
                .isEqualTo("UNAVAILABLE: io exception (PKIX path building failed: unable to find valid certification path to requested target)");
    }

    @Test
    void aRefusedConnectionIsNamed() {
        Throwable failure = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused: /127.0.0.1:2379")).asRuntimeException();
        assertThat(EtcdKeyValueStore.describe(failure)).isEqualTo("UNAVAILABLE: io exception (Connection refused: /127.0.0.1:2379)");
    }

    @Test
    void aFailureWithNothingBeneathIsItsOwnMessage() {
        assertThat(EtcdKeyValueStore.describe(new IllegalStateException("etcdserver: requested lease not found")))
                .isEqualTo("etcdserver: requested lease not found");
        Throwable said = new IllegalStateException("failed: Connection refused", new ConnectException("Connection refused"));
        assertThat(EtcdKeyValueStore.describe(said)).as("no repetition").isEqualTo("failed: Connection refused");
    }
}
