package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the service reads of Docker's inspect answer, against answers of dockerd 20.10 (API 1.41) kept under docker/. */
class InspectParserTest {

    @Test
    void aRunningContainerWithGpus() {
        JsonNode json = fixture("running-gpu.json");
        ContainerDetail c = InspectParser.detail(json);

        assertThat(c.id()).isEqualTo("4c01db0b339c2a5e7d1e4f8a9b6c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c");
        assertThat(c.name()).as("without Docker's leading slash").isEqualTo("foo-3");
        assertThat(c.status()).isEqualTo("running");
        assertThat(c.running()).isTrue();
        assertThat(c.paused()).isFalse();
        assertThat(c.labels()).containsEntry("io.gpudocker.replicaset", "foo").containsEntry("io.gpudocker.version", "3")
                .containsEntry("io.gpudocker.owner", "/gpu-docker-api").containsEntry("io.gpudocker.tenant", "alice")
                .containsEntry("maintainer", "NVIDIA CORPORATION <cudatools@nvidia.com>");
        assertThat(c.label("io.gpudocker.record")).startsWith("{\"name\":\"foo\"");
        assertThat(c.graphDriver()).isEqualTo("overlay2");
        assertThat(c.upperDir()).isEqualTo("/var/lib/docker/overlay2/f1e2d3c4b5a6978812a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809/diff");
        assertThat(c.exitCode()).as("no exit while it runs").isNull();
        assertThat(c.finishedAt()).as("its last stop, before this start").isEqualTo(Instant.parse("2024-03-05T08:39:02.771093154Z"));
    }

    @Test
    void howARunningContainerWasMade() {
        ContainerSettings s = InspectParser.settings(fixture("running-gpu.json"));

        assertThat(s.image()).as("the reference it was created from, not the image id").isEqualTo("nvidia/cuda:12.2.0-base-ubuntu22.04");
        assertThat(s.cmd()).containsExactly("sleep", "infinity");
        assertThat(s.env()).contains("CUDA_VERSION=12.2.0", "CONTAINER_VERSION=3").hasSize(9);
        assertThat(s.binds()).containsExactly("data-2:/root/foo-tmp", "/mnt/nfs/shared:/root/foo-fs");
        assertThat(s.gpuUuids()).containsExactly("GPU-5a7c1f3e-2b9d-4e6a-8c0f-1d3e5a7c9b2f", "GPU-b1d3f5a7-9c2e-4f6a-8b0d-2e4a6c8e0f13");
        assertThat(s.portBindings()).containsOnly(java.util.Map.entry("22/tcp", 40001), java.util.Map.entry("8888/tcp", 40002));
    }

    @Test
    void whatAStopOfARunningContainerDecidesOn() {
        JsonNode json = fixture("running-gpu.json");

        assertThat(InspectParser.running(json)).isTrue();
        assertThat(InspectParser.stopTarget(json)).isEqualTo(new StopGrace.Target(
                "4c01db0b339c2a5e7d1e4f8a9b6c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c", 48213, true, null));
        assertThat(InspectParser.stopTarget(fixture("exited.json"))).as("an image's own stop signal, no init")
                .isEqualTo(new StopGrace.Target("a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5", 0, false, "SIGINT"));
    }

    @Test
    void theProgramAStartRunsIsTheEntrypointWhereThereIsOne() {
        InitProgramCheck.Launch launch = InspectParser.launch(fixture("running-gpu.json"));

        assertThat(launch.containerId()).isEqualTo("4c01db0b339c2a5e7d1e4f8a9b6c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c");
        assertThat(launch.init()).isTrue();
        assertThat(launch.running()).isTrue();
        assertThat(launch.argv()).containsExactly("/opt/nvidia/nvidia_entrypoint.sh");
        assertThat(launch.env()).contains("PATH=/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assertThat(launch.workingDir()).isEmpty();
        assertThat(launch.image()).isEqualTo("sha256:3b2f9a1c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a");
        assertThat(launch.mountPoints()).as("its binds, from HostConfig and from Mounts").contains("/root/foo-tmp", "/root/foo-fs")
                .allMatch(p -> p.equals("/root/foo-tmp") || p.equals("/root/foo-fs"));

        InitProgramCheck.Launch exited = InspectParser.launch(fixture("exited.json"));
        assertThat(exited.argv()).as("no entrypoint: the command").containsExactly("python", "train.py", "--epochs", "40");
        assertThat(exited.workingDir()).isEqualTo("/workspace");
        assertThat(exited.init()).isFalse();
    }

    @Test
    void aPausedContainerIsNotRunningButItsProcessesAre() {
        JsonNode json = fixture("paused.json");
        ContainerDetail c = InspectParser.detail(json);

        assertThat(c.name()).isEqualTo("bar-1");
        assertThat(c.status()).isEqualTo("paused");
        assertThat(c.paused()).isTrue();
        assertThat(c.running()).as("frozen, not running").isFalse();
        assertThat(c.exitCode()).isNull();
        assertThat(c.finishedAt()).as("never stopped").isNull();
        assertThat(c.upperDir()).endsWith("/diff");
        assertThat(InspectParser.running(json)).as("a stop still has something to stop").isTrue();
        assertThat(InspectParser.settings(json).gpuUuids()).as("DeviceRequests null: a cardless instance").isEmpty();
        assertThat(InspectParser.settings(json).portBindings()).containsOnly(java.util.Map.entry("22/tcp", 40003));
    }

    @Test
    void anExitedContainerHasItsExitCodeAndWhenItStopped() {
        JsonNode json = fixture("exited.json");
        ContainerDetail c = InspectParser.detail(json);

        assertThat(c.name()).isEqualTo("baz-2");
        assertThat(c.status()).isEqualTo("exited");
        assertThat(c.running()).isFalse();
        assertThat(c.paused()).isFalse();
        assertThat(c.exitCode()).isEqualTo(137);
        assertThat(c.finishedAt()).isEqualTo(Instant.parse("2024-03-02T03:17:45.503812345Z"));
        assertThat(c.label("io.gpudocker.version")).isEqualTo("2");
        assertThat(InspectParser.running(json)).isFalse();
        assertThat(InspectParser.settings(json).image()).isEqualTo("pytorch/pytorch:2.2.1-cuda12.1-cudnn8-runtime");
        assertThat(InspectParser.settings(json).gpuUuids()).containsExactly("GPU-0c2e4a6b-8d1f-4b3d-9e5a-7c9e1b3d5f70");
    }

    @Test
    void aContainerThatNeverStartedHasNoExit() {
        JsonNode json = fixture("created.json");
        ContainerDetail c = InspectParser.detail(json);

        assertThat(c.name()).isEqualTo("qux-1");
        assertThat(c.status()).isEqualTo("created");
        assertThat(c.running()).isFalse();
        assertThat(c.exitCode()).as("Docker's ExitCode 0 of a created container is no exit").isNull();
        assertThat(c.finishedAt()).as("Docker's zero time").isNull();
        assertThat(c.graphDriver()).isEqualTo("overlay2");
        assertThat(c.upperDir()).as("its layer exists from the create on")
                .isEqualTo("/var/lib/docker/overlay2/c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6/diff");
        InitProgramCheck.Launch launch = InspectParser.launch(json);
        assertThat(launch.init()).isTrue();
        assertThat(launch.running()).isFalse();
        assertThat(launch.argv()).containsExactly("no-such-program", "--serve");
        ContainerSettings s = InspectParser.settings(json);
        assertThat(s.binds()).isEmpty();
        assertThat(s.portBindings()).isEmpty();
    }

    @Test
    void fieldsDockerLeavesOutReadAsItsDefaults() {
        ContainerDetail c = InspectParser.detail(InspectParser.read("{\"Id\":\"x\",\"Name\":\"/x-1\",\"GraphDriver\":{\"Name\":\"vfs\",\"Data\":null}}"));

        assertThat(c.status()).isEqualTo("unknown");
        assertThat(c.running()).isFalse();
        assertThat(c.labels()).isEmpty();
        assertThat(c.graphDriver()).isEqualTo("vfs");
        assertThat(c.upperDir()).as("no overlay2: no upper dir").isNull();
        assertThat(InspectParser.launch(InspectParser.read("{\"Id\":\"x\"}")).argv()).isEmpty();
    }

    @Test
    void timesDockerWritesForNeverAreNone() {
        assertThat(InspectParser.instant("0001-01-01T00:00:00Z")).isNull();
        assertThat(InspectParser.instant(null)).isNull();
        assertThat(InspectParser.instant("not a time")).isNull();
        assertThat(InspectParser.instant("2024-03-05T08:39:02.771093154Z")).isEqualTo(Instant.parse("2024-03-05T08:39:02.771093154Z"));
    }

    private static JsonNode fixture(String name) {
        try (InputStream in = InspectParserTest.class.getResourceAsStream("/docker/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return InspectParser.read(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
