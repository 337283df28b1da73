package io.gpudocker.resource;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

public final class ResourceViews {
    private ResourceViews() {}

    /** {@code present} is false for a GPU still held by a replicaset but gone from nvidia-smi's list. */
    @Schema(name = "GpuView")
    public record GpuView(
            @Schema(example = "0") Integer index,
            @Schema(example = "GPU-00000000-0000-4000-8000-000000000000") String uuid,
            @Schema(example = "NVIDIA A100-SXM4-80GB") String model,
            @Schema(example = "81920") Long memoryMiB,
            @Schema(description = "the replicaset holding it; null when free or held by another tenant", example = "foo") String holder,
            @Schema(description = "whether some replicaset holds it (yours or another tenant's)", example = "true") boolean held,
            @Schema(example = "true") boolean present) {}

    /** {@code gpus} is the original project's map; {@code inventory} says more about each GPU. */
    @Schema(name = "GpuResources")
    public record Gpus(
            @Schema(example = "8") int total,
            @Schema(example = "6") int free,
            @Schema(description = "original-compatible: every GPU's UUID to 0 (free) or 1 (held by any replicaset)",
                    example = "{\"GPU-00000000-0000-4000-8000-000000000000\": 1, \"GPU-00000000-0000-4000-8000-000000000001\": 0}") Map<String, Integer> gpus,
            @Schema(description = "every GPU with its index, model, memory and holder") List<GpuView> inventory) {}

    @Schema(name = "PortView")
    public record PortView(@Schema(example = "40000") int port, @Schema(example = "foo") String holder) {}

    /** {@code used} lists the ports whose holder the caller may see: its own, or every one for the admin. */
    @Schema(name = "PortResources")
    public record Ports(@Schema(example = "40000-65535") String range, @Schema(example = "25536") int total,
                        @Schema(example = "25535") int free, List<PortView> used,
                        @Schema(description = "original-compatible: the range, the free count and the used ports (yours, or every one for the admin)") OriginalPorts ports) {}

    /** The original project's port view; {@code UsedPortSet} is Go's {@code map[string]struct{}} as JSON. */
    @Schema(name = "OriginalPorts")
    public record OriginalPorts(
            @JsonProperty("StartPort") @Schema(example = "40000") int startPort,
            @JsonProperty("EndPort") @Schema(example = "65535") int endPort,
            @JsonProperty("AvailableCount") @Schema(example = "25535") int availableCount,
            @JsonProperty("UsedPortSet") @Schema(example = "{\"40000\": {}}") Map<String, Map<String, Object>> usedPortSet) {}
}
