package io.gpudocker.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequireLoopbackTest {

    @Test
    void noAuthIsAcceptedOnLoopbackAddresses() {
        assertThatCode(() -> SecurityConfig.requireLoopback("127.0.0.1")).doesNotThrowAnyException();
        assertThatCode(() -> SecurityConfig.requireLoopback("127.0.0.2")).doesNotThrowAnyException();
        assertThatCode(() -> SecurityConfig.requireLoopback("::1")).doesNotThrowAnyException();
        assertThatCode(() -> SecurityConfig.requireLoopback("localhost")).doesNotThrowAnyException();
    }

    @Test
    void noAuthIsRefusedWhereOthersCanConnect() {
        for (String address : new String[] {"0.0.0.0", "::", "10.1.2.3", "192.168.0.10"}) {
            assertThatThrownBy(() -> SecurityConfig.requireLoopback(address))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--no-auth makes every caller the admin and is refused on " + address)
                    .hasMessageContaining("-a 127.0.0.1:2378");
        }
    }
}
