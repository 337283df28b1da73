package io.gpudocker.move;

import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.gpudocker.volume.VolumeVersion;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import java.util.Map;

/** The bodies of a move: the caller's request, and the calls the two nodes make to each other. */
public final class MoveRequests {
    private MoveRequests() {}

    @Schema(name = "MoveRequest", description = "Where to move the instance, and optionally with how many GPUs")
    public record Move(
            @NotBlank @Schema(description = "the node to move to", example = "gpu2", requiredMode = Schema.RequiredMode.REQUIRED) String node,
            @Min(0) @Max(64) @Schema(description = "GPUs on the new node; absent: as many as now", example = "1", nullable = true) Integer gpuCount) {}

    /** One volume the instance binds: its version here, the number proposed for its version there. */
    public record VolumeIn(String name, String sourceDockerName, long proposedVersion, Long sizeBytes, String size, boolean sizeEnforced) {}

    /**
     * Source to target: take the resources, make version N+1 (created, not started) and the volumes' new versions;
     * {@code stopped}: the instance is stopped and stays so, taking no resources; {@code rollbackTo}: a rollback to that
     * version, whose container is on the target: N+1 gets its files there, and only the volumes cross (null: a move).
     */
    public record Prepare(String moveId, String sourceNode, String tenant, long version, ReplicaSetSpec spec, List<Integer> wantedPorts,
                          List<VolumeIn> volumes, boolean stopped, Long rollbackTo) {}

    /**
     * Source to target: pull the files now; {@code last}: the instance is stopped and this copy makes the trees there
     * equal to the ones here (what changed since the first copy began, and what was deleted); else the first copy,
     * made while it runs.
     */
    public record Receive(String moveId, boolean last) {}

    /**
     * Target to source: what it made, and the intent it made it under (its key's value, which the commit requires);
     * {@code copy}: for a rollback, how version K's files were copied into N+1 there (null: a move).
     */
    public record Prepared(String intentId, String intentValue, ReplicaSetVersion version, List<VolumeVersion> volumes,
                           Map<String, String> volumeSources, ReplicaSetViews.CopyView copy) {}

    /** Target to source: the bytes it received and unpacked. */
    public record Received(long bytes) {}

    /** A call on the pending move {@code moveId}. */
    public record Step(String moveId) {}

    /** Node to node: the containers of a replicaset that node holds (its versions left there by a move). */
    public record Containers(List<String> names) {}
}
