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
            @Schema(example = "true") boolean present,
            @Schema(description = "its latest figures as this node's telemetry read them; null before the first reading or with telemetry off")
            GpuTelemetryView telemetry) {}

    /** A GPU's latest reading; a figure is null where the driver gave none ([N/A], ERR!, a GPU that needs a reset). */
    @Schema(name = "GpuTelemetryView")
    public record GpuTelemetryView(
            @Schema(example = "2026-01-01T00:00:05Z") java.time.Instant at,
            @Schema(example = "88") Integer utilizationPercent,
            @Schema(example = "40960") Long memoryUsedMiB,
            @Schema(example = "81920") Long memoryTotalMiB,
            @Schema(example = "61") Integer temperatureCelsius,
            @Schema(example = "312.5") Double powerWatts) {}

    /** {@code gpus} is the original project's map; {@code inventory} says more about each GPU. */
    @Schema(name = "GpuResources")
    public record Gpus(
            @Schema(example = "8") int total,
            @Schema(example = "6") int free,
            @Schema(description = "original-compatible: every GPU's UUID to 0 (free) or 1 (held by any replicaset)",
                    example = "{\"GPU-00000000-0000-4000-8000-000000000000\": 1, \"GPU-00000000-0000-4000-8000-000000000001\": 0}") Map<String, Integer> gpus,
            @Schema(description = "every GPU with its index, model, memory and holder") List<GpuView> inventory) {}

    @Schema(name = "CpuCoreView")
    public record CoreView(
            @Schema(example = "3") int core,
            @Schema(description = "its NUMA node; null where the host reports none", example = "0") Integer node,
            @Schema(description = "whether some replicaset holds it (yours or another tenant's)", example = "true") boolean held,
            @Schema(description = "the replicaset holding it; null when free or held by another tenant", example = "foo") String holder,
            @Schema(description = "false for a core still held but no longer among the host's cores to hand out", example = "true") boolean present) {}

    @Schema(name = "CpuNodeView")
    public record NodeView(
            @Schema(description = "the NUMA node; null where the host reports none", example = "0") Integer node,
            @Schema(description = "its cores to hand out, kernel notation", example = "0-31") String cpus,
            @Schema(example = "32") int total,
            @Schema(example = "24") int free,
            @Schema(description = "the GPUs attached to this node (by UUID)") List<String> gpus) {}

    /** {@code cpus} is the XShengTech fork's map; {@code nodes} and {@code cores} say more. */
    @Schema(name = "CpuResources")
    public record Cpus(
            @Schema(description = "cores the service hands out (the host's, less gda.resources.reserved-cpus)", example = "64") int total,
            @Schema(example = "48") int free,
            @Schema(description = "fork-compatible: every core to 0 (free) or 1 (held)", example = "{\"0\": 1, \"1\": 0}") Map<String, Integer> cpus,
            List<NodeView> nodes,
            List<CoreView> cores) {}

    @Schema(name = "MemoryHolderView")
    public record MemoryHolderView(
            @Schema(example = "foo") String holder,
            @Schema(example = "34359738368") long bytes,
            @Schema(example = "32GB") String memory) {}

    /** {@code held} lists the shares whose holder the caller may see: its own, or every one for the admin. */
    @Schema(name = "MemoryResources")
    public record Memory(
            @Schema(description = "the pool instance limits are taken from, bytes", example = "1030792151040") long total,
            @Schema(example = "962072674304") long free,
            @Schema(example = "960GB") String totalText,
            @Schema(example = "896GB") String freeText,
            List<MemoryHolderView> held) {}

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
