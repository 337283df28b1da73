package io.gpudocker.node;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One node as {@code GET /api/v1/nodes} shows it; the figures are null while it is down. */
@Schema(name = "NodeView")
public record NodeView(
        @Schema(example = "gpu1") String name,
        @Schema(description = "up: its heartbeat is current; down: its lease ran out (its instances answer 503, code 1090)", example = "up") String state,
        @Schema(example = "https://gpu1:2378") String advertise,
        @Schema(example = "1.0.0") String version,
        Instant startedAt,
        @Schema(description = "a cordoned node takes no new instances", example = "false") boolean cordoned,
        @Schema(example = "8") Integer gpuTotal,
        @Schema(example = "5") Integer gpuFree,
        @Schema(example = "64") Integer cpuTotal,
        @Schema(example = "40") Integer cpuFree,
        @Schema(example = "1030792151040") Long memoryTotal,
        @Schema(example = "962072674304") Long memoryFree,
        @Schema(example = "25536") Integer portTotal,
        @Schema(example = "25530") Integer portFree,
        @Schema(description = "replicasets recorded on it", example = "3") int replicaSets,
        @Schema(description = "volumes recorded on it", example = "2") int volumes,
        @Schema(description = "its last drain (POST /nodes/{name}/drain): each instance moved or why it stays; null when never drained", nullable = true)
        DrainStatus drain) {

    static NodeView of(NodeMember member, NodeStatus live, int replicaSets, int volumes, DrainStatus drain) {
        if (live == null) {
            return new NodeView(member.name(), "down", member.advertise(), null, null, member.cordoned(),
                    null, null, null, null, null, null, null, null, replicaSets, volumes, drain);
        }
        return new NodeView(member.name(), "up", live.advertise(), live.version(), live.startedAt(), member.cordoned(),
                live.gpuTotal(), live.gpuFree(), live.cpuTotal(), live.cpuFree(), live.memoryTotal(), live.memoryFree(),
                live.portTotal(), live.portFree(), replicaSets, volumes, drain);
    }
}
