package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a caller is told when the node that holds its instance cannot be reached. */
class ForwarderTest {
    @Test
    void aFailedTlsHandshakeIsNamedAsSuchAndOtherFailuresAreNot() {
        assertThat(Forwarder.unreachable("https://b:2378", new SSLHandshakeException("PKIX path building failed")))
                .startsWith("refused over TLS at https://b:2378: its certificate is not trusted").contains("gda.node.trust-store");
        assertThat(Forwarder.unreachable("https://b:2378", new IOException("wrapped", new SSLHandshakeException("PKIX path building failed"))))
                .startsWith("refused over TLS at https://b:2378");
        assertThat(Forwarder.unreachable("http://b:2378", new ConnectException())).isEqualTo("unreachable at http://b:2378 (ConnectException)");
    }
}
