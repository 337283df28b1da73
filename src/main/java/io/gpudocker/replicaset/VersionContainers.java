package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.cpu.CpuList;
import io.gpudocker.store.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.Function;

/**
 * The Docker side of a replicaset's versions: what the container of a version looks like, which containers
 * a replicaset has, and whether a spec can run on this host at all.
 */
public class VersionContainers {
    private final ContainerEngine engine;
    private final VolumeLookup volumes;
    private final ImageLookup images;
    private final HostPathPolicy hostPaths;
    private final String owner;
    private final Supplier<String> clusterId;

    /**
     * Whether a bind's Docker volume is one of this service's volumes that {@code tenant} may mount, so a typo
     * is a 400 rather than a new empty volume, and no tenant mounts another's data or an unmanaged volume.
     */
    public interface VolumeLookup {
        boolean usableBy(String dockerVolume, String tenant);
    }

    /**
     * Whether the image a reference names (however it names it) may run for {@code tenant}: another tenant's commit
     * may hold that tenant's files.
     */
    public interface ImageLookup {
        boolean usableBy(String image, String tenant);
    }

    /**
     * @param hostPaths the operator's policy for host-path binds
     * @param clusterId this deployment's identity, stamped on every container
     */
    public VersionContainers(ContainerEngine engine, VolumeLookup volumes, ImageLookup images, HostPathPolicy hostPaths, String owner,
                             Supplier<String> clusterId) {
        this.engine = engine;
        this.volumes = volumes;
        this.images = images;
        this.hostPaths = hostPaths;
        this.owner = owner;
        this.clusterId = clusterId;
    }

    /**
     * The container of one version: its spec, what it holds (GPUs, ports, cores, memory), labelled as ours and its tenant's, with the
     * operation that makes it and the version's full record (from which a recovery rebuilds etcd).
     */
    public ContainerSpec specOf(ReplicaSetVersion v, String tenant, String operationId) {
        return specOf(v, tenant, operationId, this::dockerBind);
    }

    /**
     * What a version's container was made of, with binds as recorded rather than resolved on this host and
     * without the bookkeeping labels: for showing, without asking the filesystem or Docker.
     */
    public ContainerSpec recordedSpecOf(ReplicaSetVersion v, String tenant) {
        return specOf(v, tenant, null, Bind::asDockerBind);
    }

    private ContainerSpec specOf(ReplicaSetVersion v, String tenant, String operationId, Function<Bind, String> dockerBind) {
        List<String> env = new ArrayList<>(v.spec().env());
        env.add("CONTAINER_VERSION=" + v.version());
        if (v.gpus().isEmpty()) {
            // CUDA images set NVIDIA_VISIBLE_DEVICES=all; on hosts whose default runtime is nvidia that would expose every GPU
            env.add("NVIDIA_VISIBLE_DEVICES=void");
        }
        return new ContainerSpec(v.containerName(), v.spec().image(), v.spec().cmd(), env,
                v.spec().binds().stream().map(dockerBind).toList(), v.gpus(), v.ports(),
                labels(v, tenant, operationId), CpuList.format(v.cpus()), v.memory(), v.shmSize(), v.spec().init());
    }

    private Map<String, String> labels(ReplicaSetVersion v, String tenant, String operationId) {
        Map<String, String> base = ManagedLabels.replicaSetVersion(owner, v.replicaSet(), v.version());
        Map<String, String> labels = operationId == null ? new LinkedHashMap<>(base)
                : ManagedLabels.stamped(base, clusterId.get(), operationId, Json.write(v));
        // always set: a container left without it inherits the label of the image it runs, so the admin's instance of a
        // tenant's commit would pass for that tenant's (its commits theirs to run, its record theirs after a recovery)
        labels.put(ManagedLabels.TENANT, tenant == null ? Caller.ADMIN_NAME : tenant);
        return labels;
    }

    /** Every container of the replicaset (any version, running or not). */
    public List<ContainerSummary> of(String name) {
        return engine.listByLabels(ManagedLabels.replicaSet(owner, name));
    }

    /** Every container this service made, of any replicaset. */
    public List<ContainerSummary> all() {
        return engine.listByLabels(ManagedLabels.owner(owner));
    }

    /**
     * Refuses a spec whose image is not on this host or is another tenant's commit, whose volumes are not the tenant's, or whose host paths
     * this host does not allow, before anything is reserved. Every update checks its target spec here, so a
     * rollback to a version whose binds the operator has since disallowed is refused too.
     */
    public void requireRunnable(ReplicaSetSpec spec, String tenant) {
        requireRunnable(spec, tenant, null);
    }

    /**
     * As {@link #requireRunnable(ReplicaSetSpec, String)}, for a spec whose image the request names itself.
     *
     * @param imageField the request field the image came from, named in the refusal of a missing image; null where
     *                   the image comes from a stored spec (an update, a rollback) and no field of the request is at fault
     */
    public void requireRunnable(ReplicaSetSpec spec, String tenant, String imageField) {
        // one look answers both: a missing image and another tenant's commit are refused alike, so existence cannot be probed
        if (!images.usableBy(spec.image(), tenant)) {
            throw ApiException.of(ErrorCode.IMAGE_NOT_FOUND, "image '%s' is not present on this host; pull or build it first", spec.image()).onField(imageField);
        }
        for (Bind b : spec.binds()) {
            if (b.isHostPath()) {
                hostPaths.realPathOf(b, tenant);
            } else if (!volumes.usableBy(b.src(), tenant)) {
                throw ApiException.of(ErrorCode.BIND_INVALID, "bind src '%s' is not one of your volumes (create one with POST /api/v1/volumes and bind a version of it, e.g. data-1, or give an allowed host path)", b.src());
            }
        }
    }

    /** A host path goes to Docker as the real path the policy checked, so a link swapped in later is not followed. */
    private String dockerBind(Bind b) {
        return b.isHostPath() ? hostPaths.realPathOf(b) + ":" + b.dest() : b.asDockerBind();
    }
}
