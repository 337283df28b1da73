package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import java.util.ArrayList;
import java.util.List;

/** A {@link ContainerSpec} as Docker's create command: built here, sent by the engine. */
final class CreateCommands {
    private CreateCommands() {}

    /** @param hardening applied to every container created, so no caller can leave it out */
    static CreateContainerCmd of(DockerClient docker, ContainerSpec spec, ContainerHardening hardening) {
        Ports ports = new Ports();
        List<ExposedPort> exposed = new ArrayList<>();
        spec.portBindings().forEach((containerPort, hostPort) -> {
            ExposedPort port = ExposedPort.parse(containerPort);
            exposed.add(port);
            ports.bind(port, Ports.Binding.bindPort(hostPort));
        });
        HostConfig hostConfig = hardening.applyTo(HostConfig.newHostConfig()
                .withInit(spec.init())
                .withPortBindings(ports)
                .withBinds(spec.binds().stream().map(Bind::parse).toList()));
        if (!spec.gpuUuids().isEmpty()) {
            // UUIDs, never Count alongside them: indexes are renumbered inside containers.
            hostConfig.withDeviceRequests(List.of(new DeviceRequest()
                    .withDriver("nvidia")
                    .withDeviceIds(spec.gpuUuids())
                    .withCapabilities(List.of(List.of("gpu")))));
        }
        applyLimits(spec, hostConfig);
        CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(spec.labels())
                .withExposedPorts(exposed)
                .withTty(true)
                .withStdinOpen(true)
                .withHostConfig(hostConfig);
        if (spec.cmd() != null && !spec.cmd().isEmpty()) {
            cmd.withCmd(spec.cmd());
        }
        return cmd;
    }

    /** Cores, memory (swap equal to it: no swap on top) and /dev/shm, each only where the spec sets one. */
    private static void applyLimits(ContainerSpec spec, HostConfig hostConfig) {
        if (spec.cpusetCpus() != null && !spec.cpusetCpus().isEmpty()) {
            hostConfig.withCpusetCpus(spec.cpusetCpus());
        }
        if (spec.memory() > 0) {
            hostConfig.withMemory(spec.memory()).withMemorySwap(spec.memory());
        }
        if (spec.shmSize() > 0) {
            hostConfig.withShmSize(spec.shmSize());
        }
    }
}
