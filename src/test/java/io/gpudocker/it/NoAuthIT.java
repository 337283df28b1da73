package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --no-auth turns every caller into the admin: on an address others can reach, the service must not start. */
class NoAuthIT {

    @Test
    void noAuthOnAPublicAddressRefusesToStart() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start("no-auth-it", "/gpu-docker-api-no-auth-it",
                List.of("--no-auth", "-a", "0.0.0.0:" + port))) {
            int exit = service.awaitExit(Duration.ofSeconds(180));
            assertThat(exit).as("exit status; see %s", service.logFile()).isNotZero();
            assertThat(service.output()).contains("--no-auth makes every caller the admin and is refused on 0.0.0.0",
                    "listen on a loopback address (-a 127.0.0.1:2378) or drop --no-auth");
        }
    }
}
