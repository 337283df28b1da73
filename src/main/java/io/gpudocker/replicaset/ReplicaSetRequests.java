package io.gpudocker.replicaset;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Request bodies, field for field those of the original project so its clients keep working. */
public final class ReplicaSetRequests {
    private ReplicaSetRequests() {}

    @Schema(description = "Create a replicaset and start version 1")
    public record Create(
            @Schema(example = "gda-test:latest") String imageName,
            @Schema(example = "foo") String replicaSetName,
            @Schema(example = "2") Integer gpuCount,
            @Valid @Size(max = 64) @Schema(example = "[{\"src\": \"/tmp\", \"dest\": \"/root/foo-fs\"}]") List<Bind> binds,
            @Size(max = 256) @Schema(example = "[\"JUPYTER_TOKEN=secret\"]") List<String> env,
            @Size(max = 256) @Schema(example = "[\"sleep\", \"infinity\"]") List<String> cmd,
            @Size(max = 64) @Schema(example = "[\"22\", \"8888\"]") List<String> containerPorts) {}

    public record GpuPatch(@Schema(example = "4") Integer gpuCount) {}

    @Schema(description = "Replaces the bind equal to oldBind with newBind", example = "{\"oldBind\": {\"src\": \"/tmp\", \"dest\": \"/root/foo-fs\"}, \"newBind\": {\"src\": \"/srv\", \"dest\": \"/root/foo-fs\"}}")
    public record VolumePatch(@Valid Bind oldBind, @Valid Bind newBind) {}

    @Schema(description = "Either patch, both, or {} to recreate with the same spec", example = "{\"gpuPatch\": {\"gpuCount\": 1}}")
    public record Patch(@Valid GpuPatch gpuPatch, @Valid VolumePatch volumePatch) {}

    public record Rollback(@Schema(example = "1") Long version) {}

    public record Execute(@Schema(example = "/root") String workDir, @Schema(example = "[\"nvidia-smi\"]") List<String> cmd) {}

    public record Commit(@Schema(example = "foo-snapshot:v1") String newImageName) {}
}
