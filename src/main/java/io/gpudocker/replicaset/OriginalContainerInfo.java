package io.gpudocker.replicaset;

import io.gpudocker.api.OriginalTime;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.DockerConfigs;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * A version as the original project answered it ({@code data.info}, history {@code status}): Docker's
 * {@code Config}, {@code HostConfig} and {@code NetworkingConfig} of its container, every field of the original's
 * API document present ({@link OriginalDockerConfig} says where each value comes from).
 */
@Schema(name = "OriginalContainerInfo", description = "The original project's shape of a version: Docker's Config, HostConfig and NetworkingConfig of its container")
public record OriginalContainerInfo(
        @Schema(example = "2") long version,
        @Schema(description = "the original's time format, host local time", example = "2025-01-01 09:30:00") String createTime,
        @Schema(implementation = OriginalDockerSchemas.DockerConfig.class) Map<String, Object> config,
        @Schema(implementation = OriginalDockerSchemas.DockerHostConfig.class) Map<String, Object> hostConfig,
        @Schema(implementation = OriginalDockerSchemas.DockerNetworkingConfig.class) Map<String, Object> networkingConfig,
        Platform platform,
        @Schema(example = "foo-2") String containerName) {

    /** The platform the create asked for: none, so the daemon's own; empty, as the original answered it. */
    @Schema(name = "OriginalPlatform", description = "the platform the create asked for: none (the daemon's own), as in the original")
    public record Platform(@Schema(example = "") String architecture, @Schema(example = "") String os) {
        static final Platform NONE = new Platform("", "");
    }

    /** A version whose container is not at hand: everything from its record and Docker's defaults. */
    public static OriginalContainerInfo of(ReplicaSetVersion v, ContainerSpec spec) {
        return of(v, spec, null);
    }

    /**
     * A version whose container is (or was) created from {@code spec}, with what Docker holds for it where
     * {@code docker} is not null.
     */
    public static OriginalContainerInfo of(ReplicaSetVersion v, ContainerSpec spec, DockerConfigs docker) {
        return new OriginalContainerInfo(v.version(), OriginalTime.format(v.createTime()),
                OriginalDockerConfig.config(spec, docker), OriginalDockerConfig.hostConfig(spec, docker),
                OriginalDockerConfig.networkingConfig(docker), Platform.NONE, v.containerName());
    }
}
