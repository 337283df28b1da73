package io.gpudocker.ops;

import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.DockerCalls;
import io.gpudocker.docker.EngineInfo;
import io.gpudocker.volume.VolumeSizeSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The Docker engine: UP with what decides whether system disks and volume sizes work on this host
 * (storage driver, the filesystem under Docker's data root, the data root path, whether copies there clone
 * files or copy bytes), DOWN when unreachable or when it does not answer within {@code gda.docker.ping-timeout}.
 */
@Component("docker")
public class DockerHealthIndicator implements HealthIndicator {
    private final ContainerEngine engine;
    private final DockerCalls calls;
    private final Duration timeout;
    private final VolumeSizeSupport volumeSizes;
    private final ReflinkProbe reflinks;

    public DockerHealthIndicator(ContainerEngine engine, DockerCalls calls, GdaProperties props, VolumeSizeSupport volumeSizes, ReflinkProbe reflinks) {
        this.engine = engine;
        this.calls = calls;
        this.timeout = props.docker().pingTimeout();
        this.volumeSizes = volumeSizes;
        this.reflinks = reflinks;
    }

    @Override
    public Health health() {
        try {
            EngineInfo info = calls.probe("the Docker engine", timeout, engine::info);
            return Health.up()
                    .withDetail("serverVersion", String.valueOf(info.serverVersion()))
                    .withDetail("storageDriver", String.valueOf(info.storageDriver()))
                    .withDetail("backingFilesystem", String.valueOf(info.backingFilesystem()))
                    .withDetail("dockerRootDir", String.valueOf(info.dockerRootDir()))
                    .withDetail("systemDiskCarryOver", "overlay2".equals(info.storageDriver()))
                    .withDetail("volumeSizes", volumeSizes.status())
                    .withDetail("copies", copies(info.dockerRootDir()))
                    .build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }

    /**
     * How updates and resizes copy on the data root: probed in Docker's own scratch directory there (the probe
     * is remembered per filesystem, so only the first check runs cp).
     */
    private Map<String, Object> copies(String dockerRootDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (dockerRootDir == null || dockerRootDir.isBlank()) {
            m.put("reflinks", false);
            m.put("reason", "Docker did not report its data root");
            return m;
        }
        Path root = Path.of(dockerRootDir);
        Path scratch = Files.isDirectory(root.resolve("tmp")) ? root.resolve("tmp") : root;
        ReflinkProbe.Verdict verdict = reflinks.probe(scratch);
        m.put("dataRootFilesystem", verdict.filesystem());
        m.put("reflinks", verdict.reflinks());
        m.put("method", verdict.method().label());
        m.put("reason", verdict.reason());
        return m;
    }
}
