package io.gpudocker.replicaset;

import io.gpudocker.api.validation.AbsolutePath;
import io.gpudocker.api.validation.CommandArgs;
import io.gpudocker.api.validation.CpuCount;
import io.gpudocker.api.validation.ContainerPorts;
import io.gpudocker.api.validation.EnvEntries;
import io.gpudocker.api.validation.GpuCount;
import io.gpudocker.api.validation.ImageReference;
import io.gpudocker.api.validation.MemorySize;
import io.gpudocker.api.validation.NewImageName;
import io.gpudocker.api.validation.PositiveVersion;
import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.bind.BindSpec;
import io.gpudocker.replicaset.bind.DistinctDests;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Request bodies, field for field those of the original project so its clients keep working. The order of
 * the fields matters: when several are invalid, the first one's error code is the answer.
 */
public final class ReplicaSetRequests {
    /** Bounds on what a command or environment may hold: far above any real use, far below what would strain Docker. */
    static final int MAX_ENTRIES = 256;
    static final int MAX_CHARS = 4096;
    private static final String ENTRIES = "must have at most {max} entries";
    private static final String CHARS = "must be at most {max} characters";

    private ReplicaSetRequests() {}

    @Schema(name = "ReplicaSetCreateRequest", description = "Create a replicaset and start version 1")
    public record Create(
            @ImageReference @Schema(example = "gda-test:latest") String imageName,
            @ReplicaSetName @Schema(example = "foo") String replicaSetName,
            @GpuCount @Schema(example = "2") Integer gpuCount,
            @Valid @Size(max = 64) @DistinctDests @Schema(example = "[{\"src\": \"/tmp\", \"dest\": \"/root/foo-fs\"}]") List<@BindSpec Bind> binds,
            @Size(max = MAX_ENTRIES, message = ENTRIES) @EnvEntries @Schema(example = "[\"JUPYTER_TOKEN=secret\"]") List<@Size(max = MAX_CHARS, message = CHARS) String> env,
            @Size(max = MAX_ENTRIES, message = ENTRIES) @CommandArgs @Schema(example = "[\"sleep\", \"infinity\"]") List<@Size(max = MAX_CHARS, message = CHARS) String> cmd,
            @Size(max = 64) @ContainerPorts @Schema(example = "[\"22\", \"8888\"]") List<String> containerPorts,
            @CpuCount @Schema(description = "CPU cores, pinned and exclusive; absent: the operator's default share (gda.resources.cpus-per-gpu), 0: unpinned", example = "8") Integer cpuCount,
            @MemorySize @Schema(description = "hard memory limit (KB, MB, GB, TB); absent: the default share (gda.resources.memory-per-gpu), \"0\": no limit", example = "32GB") String memory,
            @MemorySize @Schema(description = "size of /dev/shm (KB, MB, GB, TB); absent: gda.resources.shm-size, \"0\": Docker's 64MB", example = "8GB") String shmSize,
            @Schema(description = "run Docker's init (tini) as PID 1 with cmd as its child, so stops are prompt and zombies reaped; "
                    + "false for an image whose command must itself be PID 1 (e.g. systemd). Omitted: the service's default "
                    + "(gda.containers.init, true unless the operator changed it). Kept by every later version.", example = "true") Boolean init,
            @Schema(description = "the node to run on (GET /api/v1/nodes); absent: the node of the volumes it binds, else the "
                    + "placement rule (gda.node.placement: pack or spread)", example = "gpu1") String node) {

        public Create(String imageName, String replicaSetName, Integer gpuCount, List<Bind> binds, List<String> env, List<String> cmd,
                      List<String> containerPorts, Integer cpuCount, String memory, String shmSize, Boolean init) {
            this(imageName, replicaSetName, gpuCount, binds, env, cmd, containerPorts, cpuCount, memory, shmSize, init, null);
        }

        /** The body of the original project: no CPU, memory, shared memory or init of its own. */
        public Create(String imageName, String replicaSetName, Integer gpuCount, List<Bind> binds, List<String> env, List<String> cmd, List<String> containerPorts) {
            this(imageName, replicaSetName, gpuCount, binds, env, cmd, containerPorts, null, null, null, null, null);
        }
    }

    @Schema(name = "ReplicaSetGpuPatch")
    public record GpuPatch(@GpuCount @Schema(example = "4") Integer gpuCount) {}

    @Schema(name = "ReplicaSetCpuPatch", description = "CPU cores; 0: unpinned")
    public record CpuPatch(@CpuCount @Schema(example = "16") Integer cpuCount) {}

    @Schema(name = "ReplicaSetMemoryPatch", description = "Hard memory limit; \"0\": no limit")
    public record MemoryPatch(@MemorySize @Schema(example = "64GB") String memory) {}

    @Schema(name = "ReplicaSetVolumePatch", description = "Replaces the bind equal to oldBind with newBind", example = "{\"oldBind\": {\"src\": \"/tmp\", \"dest\": \"/root/foo-fs\"}, \"newBind\": {\"src\": \"/srv\", \"dest\": \"/root/foo-fs\"}}")
    public record VolumePatch(@Valid @BindSpec Bind oldBind, @Valid @BindSpec Bind newBind) {}

    @Schema(name = "ReplicaSetPatchRequest", description = "Any of the patches, or {} to recreate with the same spec", example = "{\"gpuPatch\": {\"gpuCount\": 1}, \"cpuPatch\": {\"cpuCount\": 8}, \"memoryPatch\": {\"memory\": \"32GB\"}}")
    public record Patch(@Valid GpuPatch gpuPatch, @Valid CpuPatch cpuPatch, @Valid MemoryPatch memoryPatch, @Valid VolumePatch volumePatch) {

        /** The original project's patch: GPUs and binds only. */
        public Patch(GpuPatch gpuPatch, VolumePatch volumePatch) {
            this(gpuPatch, null, null, volumePatch);
        }

        boolean empty() { return gpuPatch == null && cpuPatch == null && memoryPatch == null && volumePatch == null; }
    }

    @Schema(name = "ReplicaSetRollbackRequest")
    public record Rollback(@PositiveVersion @Schema(example = "1") Long version) {}

    @Schema(name = "ReplicaSetExecuteRequest")
    public record Execute(
            @AbsolutePath @Size(max = MAX_CHARS, message = CHARS) @Schema(example = "/root") String workDir,
            @Size(max = MAX_ENTRIES, message = ENTRIES) @CommandArgs(required = true) @Schema(example = "[\"nvidia-smi\"]")
            List<@Size(max = MAX_CHARS, message = CHARS) String> cmd) {}

    @Schema(name = "ReplicaSetCommitRequest")
    public record Commit(@NewImageName @Schema(example = "foo-snapshot:v1") String newImageName) {}
}
