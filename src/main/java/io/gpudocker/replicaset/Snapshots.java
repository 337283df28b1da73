package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.SystemDiskCopier;

/** The container of an earlier version, whose filesystem an update or a rollback (here or arriving from another node) copies. */
public final class Snapshots {
    private Snapshots() {
    }

    /**
     * Version {@code version}'s container on this engine, if its files can be copied from; else SNAPSHOT_PRUNED: its spec
     * stays in the history, but the history limit removed its container (or it was never on this node).
     */
    public static ContainerDetail restorable(ContainerEngine engine, SystemDiskCopier copier, String name, long version, String node) {
        String container = ReplicaSetRecord.containerName(name, version);
        ContainerDetail source = engine.inspect(container).orElseThrow(() -> ApiException.of(ErrorCode.SNAPSHOT_PRUNED,
                "the filesystem snapshot of version %d (container %s) is not on node '%s' (pruned by the history limit); its spec is still "
                        + "in the history, but its files cannot be restored", version, container, node));
        copier.requireSupported(source);
        return source;
    }
}
