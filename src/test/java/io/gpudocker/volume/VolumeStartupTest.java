package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start does not wait for Docker's answer about volume sizes; a call that needs it waits for the one detection. */
class VolumeStartupTest {

    @Test
    void theStartGoesOnWhileDockerHasNotAnsweredAndACallWaitsForTheAnswer() throws Exception {
        CountDownLatch dockerAnswers = new CountDownLatch(1);
        ContainerEngine engine = mock(ContainerEngine.class);
        when(engine.info()).thenAnswer(i -> {
            dockerAnswers.await();
            return new EngineInfo("20.10.24", "overlay2", "extfs", "/var/lib/docker");
        });
        VolumeSizeSupport sizes = new VolumeSizeSupport(engine, () -> List.of("/dev/vda / ext4 rw,relatime 0 0"));
        VolumeJanitor janitor = mock(VolumeJanitor.class);
        VolumeStartup startup = new VolumeStartup(sizes, janitor);

        assertTimeoutPreemptively(Duration.ofSeconds(5), startup::start);
        assertThat(startup.isRunning()).isTrue();
        verify(janitor).start();

        CompletableFuture<VolumeSizeSupport.Status> call = CompletableFuture.supplyAsync(sizes::status);
        Thread.sleep(200);
        assertThat(call).as("a call that needs the answer waits for it, it is not guessed").isNotDone();
        dockerAnswers.countDown();
        VolumeSizeSupport.Status status = call.get(5, TimeUnit.SECONDS);
        assertThat(status.enforced()).isFalse();
        assertThat(status.filesystem()).isEqualTo("ext4");
        verify(engine, times(1)).info();
    }
}
