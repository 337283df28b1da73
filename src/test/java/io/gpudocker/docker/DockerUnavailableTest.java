package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no engine behind the socket, or one that never answers, every call is a prompt 503-class failure naming the Docker host. */
class DockerUnavailableTest {

    @Test
    void unreachableEngineIsReportedPromptlyAndByName() throws Exception {
        String host = "unix:///tmp/gda-no-such-docker-" + ProcessHandle.current().pid() + ".sock";
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        try (ApacheDockerHttpClient http = http(config)) {
            ContainerEngine engine = engine(config, http, host);
            for (Runnable call : List.<Runnable>of(engine::ping, () -> engine.inspect("x-1"), () -> engine.imageExists("busybox"),
                    () -> engine.listByLabels(Map.of("a", "b")))) {
                assertThatThrownBy(call::run).isInstanceOf(EngineUnavailableException.class)
                        .hasMessageContaining(host)
                        .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.DOCKER_UNAVAILABLE));
            }
        }
    }

    /** A daemon that accepts connections and never answers, as a dockerd stopped with SIGSTOP does. */
    @Test
    void aDaemonThatNeverAnswersIsReportedWithinTheResponseTimeout(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("hung.sock");
        String host = "unix://" + socket;
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
            try (ApacheDockerHttpClient http = http(config)) {
                ContainerEngine engine = engine(config, http, host);
                for (Runnable call : List.<Runnable>of(() -> engine.inspect("x-1"), () -> engine.imageExists("busybox"), engine::ping)) {
                    long started = System.nanoTime();
                    assertThatThrownBy(call::run).isInstanceOf(EngineUnavailableException.class)
                            .hasMessageContaining(host).hasMessageContaining("did not answer within 1000 ms");
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
                }
            }
        }
    }

    private static ApacheDockerHttpClient http(DefaultDockerClientConfig config) {
        return new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(1)).build();
    }

    private static ContainerEngine engine(DefaultDockerClientConfig config, ApacheDockerHttpClient http, String host) {
        return new DockerContainerEngine(DockerClientImpl.getInstance(config, http), http,
                new DockerCalls(host, new DockerTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1))), new ContainerHardening(4096),
                new StopGrace(new HostProcesses(Path.of("/proc"))), new BindMounts(Path.of("target", "unavailable-state"), "/owner", real -> false));
    }
}
