package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;

/**
 * A rollback to a version whose container another node holds: made there as the new version, the instance moving
 * with it (the move does it). {@link #NONE}: refused, as where version K's files are not here.
 */
@FunctionalInterface
public interface RollbackAcross {
    RollbackAcross NONE = (name, version, node, caller) -> {
        throw ApiException.of(ErrorCode.SNAPSHOT_PRUNED, "the container of version %d of replicaset '%s' is on node '%s'; move the instance there first",
                version, name, node);
    };

    /** Rolls {@code name} back to {@code version}, whose container is on {@code node}. */
    ContainerNameView rollback(String name, long version, String node, Caller caller);
}
