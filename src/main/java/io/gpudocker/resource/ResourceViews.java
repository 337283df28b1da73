package io.gpudocker.resource;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

public final class ResourceViews {
    private ResourceViews() {}

    /** {@code present} is false for a GPU still held by a replicaset but gone from nvidia-smi's list. */
    public record GpuView(
            @Schema(example = "0") Integer index,
            @Schema(example = "GPU-00000000-0000-4000-8000-000000000000") String uuid,
            @Schema(example = "NVIDIA A100-SXM4-80GB") String model,
            @Schema(example = "81920") Long memoryMiB,
            @Schema(description = "the replicaset holding it; null when free or held by another tenant", example = "foo") String holder,
            @Schema(description = "whether some replicaset holds it (yours or another tenant's)", example = "true") boolean held,
            @Schema(example = "true") boolean present) {}

    public record Gpus(@Schema(example = "8") int total, @Schema(example = "6") int free, List<GpuView> gpus) {}

    /** {@code used} lists the ports whose holder the caller may see: its own, or every one for the admin. */

    public record PortView(@Schema(example = "40000") int port, @Schema(example = "foo") String holder) {}

    public record Ports(@Schema(example = "40000-65535") String range, @Schema(example = "25536") int total,
                        @Schema(example = "25535") int free, List<PortView> used) {}
}
