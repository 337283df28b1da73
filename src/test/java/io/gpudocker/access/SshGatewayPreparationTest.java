package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.StartPhases;
import io.gpudocker.config.SshSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Making the gateway's server ahead of the start-up checks does not open its port ahead of them. */
class SshGatewayPreparationTest {
    @TempDir
    static Path state;

    /** What the gateway looked like when the start-up checks' phase began. */
    static final AtomicReference<Boolean> listeningAtTheChecks = new AtomicReference<>();

    @Test
    void theGatewayIsNotListeningWhileTheChecksRunButIsOnceTheStartIsDone() {
        try (var context = new AnnotationConfigApplicationContext(Wiring.class)) {
            assertThat(listeningAtTheChecks.get()).as("listening when the start-up checks began").isFalse();
            assertThat(context.getBean(SshGateway.class).sshPort()).isPositive();
        }
    }

    @Test
    void withNoSshNothingIsMade() {
        Runnable fails = () -> { throw new AssertionError("made with --no-ssh"); };
        SshGatewayPreparation preparation = new SshGatewayPreparation(false, fails);

        assertThat(preparation.isAutoStartup()).isFalse();
        assertThat(preparation.getPhase()).isLessThan(StartPhases.RECONCILE);
    }

    /** The gateway and its preparation as AccessConfig wires them, and a stand-in for the start-up checks. */
    @Configuration(proxyBeanMethods = false)
    static class Wiring {
        @Bean
        SshSettings sshSettings() {
            return new SshSettings(true, "127.0.0.1:0", Duration.ofMinutes(30), 16, 64, List.of("aes128-ctr"));
        }

        @Bean
        SshGateway sshGateway(SshSettings settings) {
            return new SshGateway(settings, null, null, new ProcessHop(null, null, AccessHop.NONE), null, null, null, state);
        }

        @Bean
        SshGatewayPreparation sshGatewayPreparation(SshSettings settings, ObjectProvider<SshGateway> gateway) {
            return new AccessConfig().sshGatewayPreparation(settings, gateway);
        }

        @Bean
        SmartLifecycle checks(ObjectProvider<SshGateway> gateway) {
            return new SmartLifecycle() {
                private volatile boolean running;

                @Override
                public void start() {
                    listeningAtTheChecks.set(gateway.getObject().isRunning());
                    running = true;
                }

                @Override
                public void stop() {
                    running = false;
                }

                @Override
                public boolean isRunning() {
                    return running;
                }

                @Override
                public int getPhase() {
                    return StartPhases.RECONCILE;
                }
            };
        }
    }
}
