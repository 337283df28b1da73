package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.config.SshSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway bean is made whatever gda.ssh.enabled says (the bean set is fixed at build time); the setting decides whether it starts. */
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

    private static SshGateway gateway(boolean enabled, Path state) {
        SshSettings settings = new SshSettings(enabled, "127.0.0.1:0", Duration.ofMinutes(30), 16, 64, List.of("aes128-ctr"));
        return new SshGateway(settings, null, null, null, null, null, null, state);
    }
}
