package io.gpudocker.ops;

import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineInfo;
import io.gpudocker.volume.VolumeSizeSupport;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The Docker engine: UP with what decides whether system disks and volume sizes work on this host
 * (storage driver, the filesystem under Docker's data root, the data root path), DOWN when unreachable.
 */
@Component("docker")
public class DockerHealthIndicator implements HealthIndicator {
    private final ContainerEngine engine;
    private final BoundedCall bounded;
    private final VolumeSizeSupport volumeSizes;

    public DockerHealthIndicator(ContainerEngine engine, BoundedCall bounded, VolumeSizeSupport volumeSizes) {
        this.engine = engine;
        this.bounded = bounded;
        this.volumeSizes = volumeSizes;
    }

    @Override
    public Health health() {
        try {
            EngineInfo info = bounded.call(ErrorCode.DOCKER_UNAVAILABLE, "the Docker engine", engine::info);
            return Health.up()
                    .withDetail("serverVersion", String.valueOf(info.serverVersion()))
                    .withDetail("storageDriver", String.valueOf(info.storageDriver()))
                    .withDetail("backingFilesystem", String.valueOf(info.backingFilesystem()))
                    .withDetail("dockerRootDir", String.valueOf(info.dockerRootDir()))
                    .withDetail("systemDiskCarryOver", "overlay2".equals(info.storageDriver()))
                    .withDetail("volumeSizes", volumeSizes.status())
                    .build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }
}
