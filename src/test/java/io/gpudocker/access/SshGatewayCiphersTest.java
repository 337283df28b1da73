package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.config.SshSettings;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.junit.jupiter.api.Test;

class SshGatewayCiphersTest {

    @Test
    void theDefaultOffersAesOnlyGcmFirst() {
        SshSettings defaults = new SshSettings(true, "0.0.0.0:2222", Duration.ofMinutes(30), 16, 64,
                List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"));
        assertThat(SshGateway.ciphers(defaults.ciphers()).stream().map(NamedResource::getName).toList())
                .containsExactly("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr");
        assertThat(SshGateway.ciphers(List.of("chacha20-poly1305@openssh.com")).get(0).getName()).isEqualTo("chacha20-poly1305@openssh.com");
    }

    @Test
    void noEncryptionAndUnknownNamesAreRefusedNamingThem() {
        assertThatThrownBy(() -> SshGateway.ciphers(List.of("aes128-ctr", "none"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'none'").hasMessageContaining("aes128-ctr").hasMessageNotContaining("none,");
        assertThatThrownBy(() -> SshGateway.ciphers(List.of("rot13"))).hasMessageContaining("gda.ssh.ciphers names 'rot13'");
        assertThatThrownBy(() -> new SshSettings(true, "0.0.0.0:2222", Duration.ofMinutes(30), 16, 64, List.of()))
                .hasMessageContaining("gda.ssh.ciphers");
    }
}
