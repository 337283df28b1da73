package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.MemorySizeValidator;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;
import io.gpudocker.replicaset.VersionedUpdate.Target;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.resource.gpu.GpuScheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * The updates a user can ask for, each a plan from the current version to a target fed to the one update
 * engine: patch (GPU count, volume rebind, or {} to recreate), restart, and rollback.
 */
public class UpdatePlans {
    private final VersionedUpdate update;
    private final ReplicaSetRepository repo;
    private final GpuScheduler gpus;
    private final TenantCeilings ceilings;
    private final RollbackAcross across;

    public UpdatePlans(VersionedUpdate update, ReplicaSetRepository repo, GpuScheduler gpus) {
        this(update, repo, gpus, TenantCeilings.NONE, RollbackAcross.NONE);
    }

    public UpdatePlans(VersionedUpdate update, ReplicaSetRepository repo, GpuScheduler gpus, TenantCeilings ceilings, RollbackAcross across) {
        this.ceilings = ceilings;
        this.across = across;
        this.update = update;
        this.repo = repo;
        this.gpus = gpus;
    }

    /**
     * Same spec and files, except the GPU count, CPU count, memory limit and/or one bind; lifting keeps the GPUs
     * and cores it has.
     */
    public ContainerNameView patch(String name, ReplicaSetRequests.Patch req, Caller caller) {
        ReplicaSetRequests.Patch patch = req == null ? new ReplicaSetRequests.Patch(null, null) : req;
        Integer newCount = patch.gpuPatch() == null ? null : SpecValidator.gpuCount(patch.gpuPatch().gpuCount(), gpus.total());
        var cpuPatch = patch.cpuPatch();
        Long newMemory = patch.memoryPatch() == null ? null : MemorySizeValidator.bytes(patch.memoryPatch().memory(), "memoryPatch.memory");
        var volumePatch = patch.volumePatch();
        String cause = patch.empty() ? "recreate" : "patch";
        return update.apply(name, caller, cause, ErrorCode.CONTAINER_PATCH_FAILED, (record, current) -> {
            ReplicaSetSpec spec = current.spec();
            if (newCount != null) {
                spec = spec.withGpuCount(newCount);
            }
            if (cpuPatch != null) {
                // absent in the patch: back to the default share
                spec = spec.withCpuCount(cpuPatch.cpuCount());
            }
            if (patch.memoryPatch() != null) {
                spec = spec.withMemory(newMemory);
            }
            if (volumePatch != null) {
                spec = spec.withBinds(rebind(spec.binds(), volumePatch.oldBind(), volumePatch.newBind()));
            }
            ceilings.check(spec, caller, TenantCeilings.Fields.PATCH);
            return new Target(spec, record.version());
        });
    }

    /** Same spec and files; GPUs (same count) and ports re-acquired if the replicaset was stopped. */
    public ContainerNameView restart(String name, Caller caller) {
        return update.apply(name, caller, "restart", ErrorCode.CONTAINER_RESTART_FAILED, (record, current) -> new Target(current.spec(), record.version()));
    }

    /**
     * Version K's spec and version K's files, as a new version; made on the node that holds K's container, the instance
     * moving there with it, when that is another node (a rollback after a move).
     */
    public ContainerNameView rollback(String name, ReplicaSetRequests.Rollback req, Caller caller) {
        long k = req.version();
        ReplicaSetRecord now = repo.require(name, caller).record();
        String holder = k == now.version() ? null : VersionPlaces.nodeOf(now.node(), repo.history(name), k);
        if (holder != null && !holder.equals(now.node())) {
            repo.version(name, k).ifPresent(target -> ceilings.check(target.spec(), caller, TenantCeilings.Fields.CREATE));
            // the move checks the rest under the instance's lock, as the local rollback below does
            return across.rollback(name, k, holder, caller);
        }
        return update.apply(name, caller, "rollback to " + k, ErrorCode.ROLLBACK_FAILED, (record, current) -> {
            if (k == record.version()) {
                throw ApiException.of(ErrorCode.NO_NEED_ROLLBACK, "replicaset '%s' is already at version %d", name, k);
            }
            ReplicaSetVersion target = repo.version(name, k).orElseThrow(() -> ApiException.of(ErrorCode.VERSION_NOT_FOUND,
                    "replicaset '%s' has no version %d (versions 1-%d exist)", name, k, record.version()));
            // an old version's spec is a new version's ask: a rollback cannot bring back what a patch may not
            ceilings.check(target.spec(), caller, TenantCeilings.Fields.CREATE);
            return new Target(target.spec(), k);
        });
    }

    private static List<Bind> rebind(List<Bind> binds, Bind oldBind, Bind newBind) {
        List<Bind> result = new ArrayList<>();
        boolean matched = false;
        for (Bind b : binds) {
            if (!matched && b.src().equals(oldBind.src()) && b.dest().equals(oldBind.dest())) {
                result.add(newBind);
                matched = true;
            } else {
                result.add(b);
            }
        }
        if (!matched) {
            throw ApiException.of(ErrorCode.BIND_NOT_FOUND, "no bind matches oldBind %s:%s; the replicaset has %s",
                    oldBind.src(), oldBind.dest(), binds.stream().map(Bind::asDockerBind).toList());
        }
        SpecValidator.binds(result);
        return result;
    }
}
