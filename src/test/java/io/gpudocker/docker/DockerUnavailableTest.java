package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no engine behind the socket, every call is a 503-class failure naming the Docker host. */
class DockerUnavailableTest {

    @Test
    void unreachableEngineIsReportedPromptlyAndByName() throws Exception {
        String host = "unix:///tmp/gda-no-such-docker-" + ProcessHandle.current().pid() + ".sock";
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        try (ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(2)).build()) {
            ContainerEngine engine = new DockerContainerEngine(DockerClientImpl.getInstance(config, http), http, host, Duration.ofSeconds(1),
                    new ContainerHardening(4096));
            for (Runnable call : List.<Runnable>of(engine::ping, () -> engine.inspect("x-1"), () -> engine.imageExists("busybox"),
                    () -> engine.listByLabels(Map.of("a", "b")))) {
                assertThatThrownBy(call::run).isInstanceOf(EngineUnavailableException.class)
                        .hasMessageContaining(host)
                        .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.DOCKER_UNAVAILABLE));
            }
        }
    }
}
