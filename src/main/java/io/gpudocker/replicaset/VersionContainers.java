package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.store.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Docker side of a replicaset's versions: what the container of a version looks like, which containers
 * a replicaset has, and whether a spec can run on this host at all.
 */
public class VersionContainers {
    private final ContainerEngine engine;
    private final VolumeLookup volumes;
    private final String owner;
    private final Supplier<String> clusterId;

    /** Whether a bind's volume exists, so a typo is a 400 rather than a new empty volume. */
    public interface VolumeLookup {
        boolean exists(String volumeName);
    }

    /** @param clusterId this deployment's identity, stamped on every container */
    public VersionContainers(ContainerEngine engine, VolumeLookup volumes, String owner, Supplier<String> clusterId) {
        this.engine = engine;
        this.volumes = volumes;
        this.owner = owner;
        this.clusterId = clusterId;
    }

    /**
     * The container of one version: its spec, its GPUs and ports, labelled as ours, with the operation that
     * makes it and the version's full record (from which a recovery rebuilds etcd).
     */
    public ContainerSpec specOf(ReplicaSetVersion v, String operationId) {
        List<String> env = new ArrayList<>(v.spec().env());
        env.add("CONTAINER_VERSION=" + v.version());
        if (v.gpus().isEmpty()) {
            // CUDA images set NVIDIA_VISIBLE_DEVICES=all; on hosts whose default runtime is nvidia that would expose every GPU
            env.add("NVIDIA_VISIBLE_DEVICES=void");
        }
        return new ContainerSpec(v.containerName(), v.spec().image(), v.spec().cmd(), env,
                v.spec().binds().stream().map(Bind::asDockerBind).toList(), v.gpus(), v.ports(),
                ManagedLabels.stamped(ManagedLabels.replicaSetVersion(owner, v.replicaSet(), v.version()), clusterId.get(), operationId, Json.write(v)));
    }

    /** Every container of the replicaset (any version, running or not). */
    public List<ContainerView> of(String name) {
        return engine.listByLabels(ManagedLabels.replicaSet(owner, name));
    }

    /** Every container this service made, of any replicaset. */
    public List<ContainerView> all() {
        return engine.listByLabels(ManagedLabels.owner(owner));
    }

    /** Refuses a spec whose image or volumes are not on this host, before anything is reserved. */
    public void requireRunnable(ReplicaSetSpec spec) {
        if (!engine.imageExists(spec.image())) {
            throw ApiException.of(ErrorCode.IMAGE_NOT_FOUND, "image '%s' is not present on this host; pull or build it first", spec.image());
        }
        for (Bind b : spec.binds()) {
            if (!b.isHostPath() && !volumes.exists(b.src())) {
                throw ApiException.of(ErrorCode.BIND_INVALID, "bind src '%s' is not an existing volume (create it with POST /api/v1/volumes, or give an absolute host path)", b.src());
            }
        }
    }
}
