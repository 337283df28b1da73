package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.store.Json;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
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
    private final VolumeEngine volumeEngine;
    private final String owner;
    private final Supplier<String> clusterId;
    private final Intents operations;

    /** @param clusterId this deployment's identity, stamped on every volume */
    public DockerVolumes(ContainerEngine engine, VolumeEngine volumeEngine, String owner, Supplier<String> clusterId, Intents operations) {
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.owner = owner;
        this.clusterId = clusterId;
        this.operations = operations;
    }

    /**
     * Creates the Docker volume of one version, with the size option only where the size can be enforced,
     * labelled as its tenant's, with the operation that makes it and the version's full record (from which a
     * recovery rebuilds etcd).
     */
    public VolumeSummary create(VolumeVersion v, VolumeSize size, Intent op, String tenant) {
        // Docker's local driver refuses a size it cannot enforce, so the option is only passed where quota works
        Map<String, String> driverOpts = size != null && v.sizeEnforced() ? Map.of("size", Long.toString(size.bytes())) : Map.of();
        Map<String, String> labels = ManagedLabels.stamped(ManagedLabels.volumeVersion(owner, v.name(), v.version()), clusterId.get(), op.id(), Json.write(v));
        if (tenant != null) {
            labels.put(ManagedLabels.TENANT, tenant);
        }
        return volumeEngine.createVolume(v.dockerName(), driverOpts, labels);
    }

    /** The Docker volume, if it exists and is a version of {@code name} made by this service. */
    public Optional<VolumeSummary> ours(String name, String dockerName) {
        return volumeEngine.inspectVolume(dockerName).filter(v -> ManagedLabels.isVolumeOf(v.labels(), owner, name));
    }

    /** The managed volume a Docker volume is a version of, if it is one of ours. */
    public Optional<String> volumeOf(String dockerName) {
        return volumeEngine.inspectVolume(dockerName).map(VolumeSummary::labels)
                .filter(l -> l != null && owner.equals(l.get(ManagedLabels.OWNER)))
                .map(l -> l.get(ManagedLabels.VOLUME));
    }

    /** Names of the running containers that mount the Docker volume. */
    public List<String> runningUsers(String dockerName) {
        List<String> running = new ArrayList<>();
        for (String c : volumeEngine.containersUsingVolume(dockerName)) {
            if (engine.inspect(c).map(ContainerDetail::running).orElse(false)) {
                running.add(c);
            }
        }
        return running;
    }

    /**
     * The first version number from {@code from} whose Docker name is free. A volume of ours under that name
     * that an unfinished operation's intent proves uncommitted is removed; any other is kept (it may hold data
     * whose record is missing). Either way its number is skipped, never re-created. A volume that is not
     * ours is never touched.
     */
    public long freeVersion(String name, long from) {
        for (long v = from; v < from + MAX_SKIPPED_VERSIONS; v++) {
            String dockerName = VolumeNames.dockerName(name, v);
            Optional<VolumeSummary> existing = volumeEngine.inspectVolume(dockerName);
            if (existing.isEmpty()) {
                return v;
            }
            if (!ManagedLabels.isVolumeOf(existing.get().labels(), owner, name)) {
                throw ApiException.of(ErrorCode.VOLUME_EXISTS, "a Docker volume named '%s' already exists and is not managed by this service; remove or rename it first", dockerName);
            }
            String madeBy = existing.get().labels().get(ManagedLabels.OPERATION);
            boolean uncommitted = madeBy != null && operations.of(Intent.VOLUME, name).stream().anyMatch(o -> o.id().equals(madeBy));
            if (uncommitted && volumeEngine.containersUsingVolume(dockerName).isEmpty()) {
                log.warn("volume {}: removing {}, left by a call interrupted before its record was written (operation {}); version {} is skipped", name, dockerName, madeBy, v);
                Undo.quietly(() -> volumeEngine.removeVolume(dockerName));
            } else {
                log.warn("volume {}: {} exists with no record of it and is kept; version {} is skipped", name, dockerName, v);
            }
        }
        throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s': Docker volumes %s-%d to %s-%d all exist already", name, name, from, name, from + MAX_SKIPPED_VERSIONS - 1);
    }
}
