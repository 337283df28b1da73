package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import java.util.Optional;

/**
 * Which instance a login or a proxied request reaches, and whether it can: the caller's own (any for the admin), and
 * running. The same ownership rule as every API call on the instance, and the same answer for another tenant's
 * instance as for none, so a tenant learns nothing of the others'.
 */
public class InstanceAccess {
    /**
     * A running container of an instance, by its Docker id (for exec and its address): a session that holds it never
     * reaches a container made later under the same name, another tenant's included, once this one is gone.
     */
    public record Target(String replicaSet, String container) {}

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;

    public InstanceAccess(ReplicaSetRepository repo, ContainerEngine engine) {
        this.repo = repo;
        this.engine = engine;
    }

    /** Whether the caller may reach the instance at all (it exists and is its own), running or not, on whichever node. */
    public boolean visible(String name, Caller caller) {
        try {
            repo.requireVisible(name, caller);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** The instance's running container; refused with a message that says why (paused, stopped, exited) and what to do. */
    public Target running(String name, Caller caller) {
        ReplicaSetRecord record = repo.require(name, caller).record();
        ReplicaSetState state = record.state();
        Optional<ContainerDetail> c = state == ReplicaSetState.RUNNING ? engine.inspect(record.containerName()) : Optional.empty();
        if (c.isEmpty() || !c.get().running()) {
            String what = state == ReplicaSetState.RUNNING ? "not running (its container is " + c.map(ContainerDetail::status).orElse("gone") + ")"
                    : state.name().toLowerCase();
            String hint = switch (state) {
                case PAUSED -> "; continue it (PATCH /api/v1/replicaSet/" + name + "/continue) first";
                case STOPPED, EXITED -> "; start it (PATCH /api/v1/replicaSet/" + name + "/restart) first";
                default -> "";
            };
            throw ApiException.of(ErrorCode.INVALID_STATE, "instance '%s' is %s%s", name, what, hint);
        }
        return new Target(name, c.get().id());
    }

    /** The running container's address on its network, for forwarded connections and the proxy. */
    public String address(Target target) {
        return engine.address(target.container()).orElseThrow(() -> ApiException.of(ErrorCode.INVALID_STATE,
                "instance '%s' has no network address (its network mode gives it none)", target.replicaSet()));
    }
}
