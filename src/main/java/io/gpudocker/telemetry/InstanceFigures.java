package io.gpudocker.telemetry;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** An instance's latest sample in full: each GPU it holds and each process of it that uses a GPU. */
@Schema(name = "InstanceFigures")
public record InstanceFigures(
        @Schema(example = "foo") String name,
        @Schema(example = "alice") String tenant,
        @Schema(example = "3") long version,
        @Schema(example = "2026-01-01T00:00:05Z") Instant at,
        @Schema(description = "CPU used, in percent of one core", example = "97.5") Double cpuPercent,
        @Schema(example = "536870912") Long memoryBytes,
        @Schema(description = "the GPUs it holds and what each said") List<GpuFigure> gpus,
        @Schema(description = "its processes on any GPU, as nvidia-smi lists compute applications") List<ProcessFigure> processes) {

    /** One GPU's reading; a figure is null where the driver gave none ({@code [N/A]}, {@code ERR!}, a GPU needing a reset). */
    @Schema(name = "InstanceGpuFigure")
    public record GpuFigure(@Schema(example = "GPU-00000000-0000-4000-8000-000000000000") String uuid,
                            @Schema(example = "NVIDIA H200") String model,
                            @Schema(example = "88") Integer utilizationPercent,
                            @Schema(example = "40960") Long memoryUsedMiB,
                            @Schema(example = "143771") Long memoryTotalMiB,
                            @Schema(example = "61") Integer temperatureCelsius,
                            @Schema(example = "612.5") Double powerWatts) {}

    @Schema(name = "InstanceGpuProcess")
    public record ProcessFigure(@Schema(description = "its pid on the host", example = "4711") long pid,
                                @Schema(example = "GPU-00000000-0000-4000-8000-000000000000") String gpuUuid,
                                @Schema(example = "874") Long usedMemoryMiB,
                                @Schema(example = "python3") String name) {}
}
