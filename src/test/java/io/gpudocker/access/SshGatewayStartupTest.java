package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.config.SshSettings;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway bean is made whatever gda.ssh.enabled says (the bean set is fixed at build time); the setting decides whether it starts.
 * Its server is made ahead, on a thread of its own, before the start-up checks; the port opens at the gateway's own start.
 */
class SshGatewayStartupTest {

    @Test
    void noSshMeansTheGatewayNeverStartsAndShowsNoPort(@TempDir Path state) {
        SshGateway gateway = gateway(false, state);

        assertThat(gateway.isAutoStartup()).isFalse();
        assertThat(gateway.isRunning()).isFalse();
        assertThat(gateway.sshPort()).isZero();
    }

    @Test
    void theGatewayStartsByDefault(@TempDir Path state) {
        assertThat(gateway(true, state).isAutoStartup()).isTrue();
    }

    @Test
    void madeAheadItListensOnlyOnceStarted(@TempDir Path state) throws Exception {
        SshGateway gateway = gateway(true, state);

        gateway.prepareInBackground();
        gateway.prepareInBackground(); // a second call while one is pending makes no second server

        assertThat(gateway.isRunning()).isFalse();
        assertThat(gateway.sshPort()).isZero();
        gateway.start();
        try {
            assertThat(gateway.isRunning()).isTrue();
            assertThat(gateway.sshPort()).isPositive();
            assertThat(gateway.hostKeyFingerprint()).startsWith("SHA256:");
            assertThat(state.resolve("ssh").resolve("host-key.pem")).exists();
        } finally {
            gateway.stop();
        }
        assertThat(gateway.isRunning()).isFalse();
    }

    @Test
    void startedWithoutBeingMadeAheadItMakesItsServerThen(@TempDir Path state) {
        SshGateway gateway = gateway(true, state);

        gateway.start();
        try {
            assertThat(gateway.sshPort()).isPositive();
        } finally {
            gateway.stop();
        }
    }

    @Test
    void aFailureWhileMakingItAheadStillFailsTheStartWithTheSameWords(@TempDir Path state) throws Exception {
        Path notADirectory = Files.writeString(state.resolve("file"), "x");
        SshGateway gateway = gateway(true, notADirectory);

        gateway.prepareInBackground();

        assertThatThrownBy(gateway::start).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("the SSH gateway could not listen on 127.0.0.1:0").hasMessageContaining("--no-ssh");
        assertThat(gateway.isRunning()).isFalse();
    }

    @Test
    void anUnknownCipherStillFailsTheStart(@TempDir Path state) {
        SshSettings settings = new SshSettings(true, "127.0.0.1:0", Duration.ofMinutes(30), 16, 64, List.of("rot13"));
        SshGateway gateway = new SshGateway(settings, null, null, hop(), null, null, null, state);

        gateway.prepareInBackground();

        assertThatThrownBy(gateway::start).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rot13");
        assertThat(gateway.isRunning()).isFalse();
    }

    private static SshGateway gateway(boolean enabled, Path state) {
        SshSettings settings = new SshSettings(enabled, "127.0.0.1:0", Duration.ofMinutes(30), 16, 64, List.of("aes128-ctr"));
        return new SshGateway(settings, null, null, hop(), null, null, null, state);
    }

    private static ProcessHop hop() {
        return new ProcessHop(null, null, AccessHop.NONE);
    }
}
