package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.docker.VolumeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker side of a volume's versions: version N of {@code data} is the Docker volume {@code data-N},
 * labelled as ours. A Docker name is never reused (Docker can drop a re-created name's quota until it restarts).
 */
public class DockerVolumes {
    private static final Logger log = LoggerFactory.getLogger(DockerVolumes.class);
    /** How many leftover Docker names a create or resize steps over before giving up. */
    private static final int MAX_SKIPPED_VERSIONS = 100;

    private final ContainerEngine engine;
    private final String owner;

    public DockerVolumes(ContainerEngine engine, String owner) {
        this.engine = engine;
        this.owner = owner;
    }

    /** Creates the Docker volume of one version, with the size option only where the size can be enforced. */
    public VolumeView create(String name, long version, VolumeSize size, boolean enforced, String tenant) {
        // Docker's local driver refuses a size it cannot enforce, so the option is only passed where quota works
        Map<String, String> driverOpts = size != null && enforced ? Map.of("size", Long.toString(size.bytes())) : Map.of();
        Map<String, String> labels = new LinkedHashMap<>(ManagedLabels.volumeVersion(owner, name, version));
        if (tenant != null) {
            labels.put(ManagedLabels.TENANT, tenant);
        }
        return engine.createVolume(VolumeNames.dockerName(name, version), driverOpts, labels);
    }

    /** The Docker volume, if it exists and is a version of {@code name} made by this service. */
    public Optional<VolumeView> ours(String name, String dockerName) {
        return engine.inspectVolume(dockerName).filter(v -> ManagedLabels.isVolumeOf(v.labels(), owner, name));
    }

    /** The managed volume a Docker volume is a version of, if it is one of ours. */
    public Optional<String> volumeOf(String dockerName) {
        return engine.inspectVolume(dockerName).map(VolumeView::labels)
                .filter(l -> l != null && owner.equals(l.get(ManagedLabels.OWNER)))
                .map(l -> l.get(ManagedLabels.VOLUME));
    }

    /** Names of the running containers that mount the Docker volume. */
    public List<String> runningUsers(String dockerName) {
        List<String> running = new ArrayList<>();
        for (String c : engine.containersUsingVolume(dockerName)) {
            if (engine.inspect(c).map(ContainerView::running).orElse(false)) {
                running.add(c);
            }
        }
        return running;
    }

    /**
     * The first version number from {@code from} whose Docker name is free. A volume of ours under that name
     * that no record knows was left by a call interrupted before its record was written: it is removed and
     * its number skipped, never re-created. A volume that is not ours is never touched.
     */
    public long freeVersion(String name, long from) {
        for (long v = from; v < from + MAX_SKIPPED_VERSIONS; v++) {
            String dockerName = VolumeNames.dockerName(name, v);
            Optional<VolumeView> existing = engine.inspectVolume(dockerName);
            if (existing.isEmpty()) {
                return v;
            }
            if (!ManagedLabels.isVolumeOf(existing.get().labels(), owner, name)) {
                throw ApiException.of(ErrorCode.VOLUME_EXISTS, "a Docker volume named '%s' already exists and is not managed by this service; remove or rename it first", dockerName);
            }
            if (engine.containersUsingVolume(dockerName).isEmpty()) {
                log.warn("volume {}: removing {}, left by a call interrupted before its record was written; version {} is skipped", name, dockerName, v);
                Undo.quietly(() -> engine.removeVolume(dockerName));
            }
        }
        throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s': Docker volumes %s-%d to %s-%d all exist already", name, name, from, name, from + MAX_SKIPPED_VERSIONS - 1);
    }
}
