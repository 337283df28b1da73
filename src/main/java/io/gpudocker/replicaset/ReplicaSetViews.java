package io.gpudocker.replicaset;

import io.gpudocker.common.ByteSizes;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.replicaset.bind.Bind;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies. */
public final class ReplicaSetViews {
    private ReplicaSetViews() {}

    /** A size for people, null for 0 (none). */
    static String size(long bytes) {
        return bytes == 0 ? null : ByteSizes.format(bytes);
    }

    /** Where a replicaset's operation in flight reports its progress. */
    public static String progressKey(String name) {
        return "replicaset/" + name;
    }

    @Schema(name = "ReplicaSetCreated")
    public record Created(
            @Schema(description = "the container of version 1", example = "foo-1") String name,
            @Schema(example = "foo") String replicaSetName,
            @Schema(example = "1") long version,
            @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\", \"GPU-00000000-0000-4000-8000-000000000001\"]") List<String> gpus,
            @Schema(description = "container port to host port", example = "{\"22/tcp\": 40000}") Map<String, Integer> ports) {}

    @Schema(name = "ReplicaSetContainerName")
    public record ContainerNameView(
            @Schema(description = "the new version's container", example = "foo-2") String containerName,
            @Schema(description = "how the system disk was carried over; null when there was none to carry (the old container was gone)") CopyView copy) {}

    /** One copy of a system disk: {@code reflink} where the filesystem clones files, else {@code bytes}. */
    @Schema(name = "ReplicaSetCopy")
    public record CopyView(
            @Schema(example = "reflink", allowableValues = {"reflink", "bytes"}) String method,
            @Schema(description = "how long the copy took", example = "3") long millis,
            @Schema(description = "bytes copied, where measured; null for a system disk (measuring it would cost a walk of the layer)") Long bytes) {}

    /**
     * The current version as the user sees it, with Docker's live status next to the recorded state, and
     * {@code info}, the original project's shape of it.
     */
    @Schema(name = "ReplicaSetDetail")
    public record Detail(
            @Schema(example = "foo") String name,
            @Schema(example = "2") long version,
            @Schema(example = "foo-2") String containerName,
            @Schema(description = "recorded state: running, paused or stopped", example = "running") String state,
            @Schema(description = "Docker's live status of the container, or missing", example = "running") String containerStatus,
            @Schema(description = "the exit code of the container's main process once it has exited (it keeps its GPUs and ports while the state is running); null while it runs", example = "0", nullable = true) Integer exitCode,
            @Schema(example = "2025-01-01T08:00:00.000000Z") Instant createTime,
            @Schema(example = "2025-01-01T09:30:00.000000Z") Instant updateTime,
            @Schema(example = "2025-01-01T09:30:00.000000Z") Instant versionCreateTime,
            @Schema(example = "gda-test:latest") String image,
            @Schema(example = "2") int gpuCount,
            @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\", \"GPU-00000000-0000-4000-8000-000000000001\"]") List<String> gpus,
            List<Bind> binds,
            @Schema(example = "[\"JUPYTER_TOKEN=secret\"]") List<String> env,
            @Schema(example = "[\"sleep\", \"infinity\"]") List<String> cmd,
            @Schema(description = "whether Docker's init (tini) is PID 1, with cmd as its child", example = "true") boolean init,
            @Schema(example = "{\"22/tcp\": 40000}") Map<String, Integer> ports,
            @Schema(description = "how many CPU cores it holds (pinned, exclusive); 0: unpinned, or stopped", example = "8") int cpuCount,
            @Schema(description = "the cores it holds, Docker's notation; empty: unpinned, or stopped", example = "0-7") String cpus,
            @Schema(description = "the current version's hard memory limit; null: none", example = "32GB") String memory,
            @Schema(description = "the current version's /dev/shm size; null: Docker's default (64MB)", example = "8GB") String shmSize,
            @Schema(description = "original-compatible: the version with Docker's Config, HostConfig and NetworkingConfig of its container, as Docker holds them") OriginalContainerInfo info,
            @Schema(description = "the update in flight (patch, restart, rollback): its step and since when; null when none runs", nullable = true) ProgressBoard.Progress progress,
            @Schema(description = "the node whose Docker engine runs it (GET /api/v1/nodes)", example = "gpu1") String node) {}

    @Schema(name = "ReplicaSetSummary")
    public record Summary(
            @Schema(example = "foo") String name,
            @Schema(example = "2") long version,
            @Schema(example = "foo-2") String containerName,
            @Schema(example = "running") String state,
            @Schema(example = "2") int gpuCount,
            @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\", \"GPU-00000000-0000-4000-8000-000000000001\"]") List<String> gpus,
            @Schema(example = "{\"22/tcp\": 40000}") Map<String, Integer> ports,
            @Schema(description = "the cores it holds; empty: unpinned, or stopped", example = "0-7") String cpus,
            @Schema(description = "the memory it holds from the pool; null: none", example = "32GB") String memory,
            @Schema(description = "the current version's image", example = "gda-test:latest") String image,
            @Schema(description = "the tenant that created it", example = "alice") String tenant,
            @Schema(example = "2025-01-01T08:00:00.000000Z") Instant createTime,
            @Schema(example = "2025-01-01T09:30:00.000000Z") Instant updateTime,
            @Schema(description = "the update in flight, as in the replicaset's view; null when none runs (shown by the node that runs it)", nullable = true) ProgressBoard.Progress progress,
            @Schema(description = "the node whose Docker engine runs it (GET /api/v1/nodes)", example = "gpu1") String node) {}

    @Schema(name = "TerminalTicket")
    public record TerminalTicket(
            @Schema(description = "single use, good until expires", example = "9f0c1e...") String ticket,
            @Schema(description = "where to open the WebSocket (same host), ticket included; add &cols=C&rows=R", example = "/ws/terminal?ticket=9f0c1e...") String path,
            Instant expires) {}

    @Schema(name = "ReplicaSetHistoryItem")
    public record HistoryItem(
            @Schema(example = "1") long version,
            @Schema(example = "2025-01-01T08:00:00.000000Z") Instant createTime,
            @Schema(description = "whether the version's container (its filesystem) still exists; false once pruned by the history limit", example = "true") boolean snapshotAvailable,
            @Schema(description = "the version's full record (spec, GPUs and ports it had) and, original-compatible, Docker's Config, HostConfig and NetworkingConfig of its container, built from that record") VersionStatus status) {}

    /**
     * One version's record beside the original project's fields of it. {@code createTime} is in the original's
     * format here; the item around it carries the same instant in ISO-8601.
     */
    @Schema(name = "ReplicaSetVersionStatus")
    public record VersionStatus(
            @Schema(example = "foo") String replicaSet,
            @Schema(example = "1") long version,
            @Schema(example = "foo-1") String containerName,
            @Schema(description = "the original's time format, host local time", example = "2025-01-01 08:00:00") String createTime,
            @Schema(description = "what made the version: create, patch, recreate, restart, rollback to K", example = "create") String cause,
            ReplicaSetSpec spec,
            @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\"]") List<String> gpus,
            @Schema(example = "{\"22/tcp\": 40000}") Map<String, Integer> ports,
            @Schema(description = "the CPU cores it was given; empty: unpinned", example = "[0, 1, 2, 3]") List<Integer> cpus,
            @Schema(description = "its memory limit in bytes; 0: none", example = "34359738368") long memory,
            @Schema(description = "its /dev/shm size in bytes; 0: Docker's default", example = "0") long shmSize,
            @Schema(implementation = OriginalDockerSchemas.DockerConfig.class) Map<String, Object> config,
            @Schema(implementation = OriginalDockerSchemas.DockerHostConfig.class) Map<String, Object> hostConfig,
            @Schema(implementation = OriginalDockerSchemas.DockerNetworkingConfig.class) Map<String, Object> networkingConfig,
            OriginalContainerInfo.Platform platform) {

        static VersionStatus of(ReplicaSetVersion v, OriginalContainerInfo info) {
            return new VersionStatus(v.replicaSet(), v.version(), v.containerName(), info.createTime(), v.cause(), v.spec(), v.gpus(), v.ports(),
                    v.cpus(), v.memory(), v.shmSize(), info.config(), info.hostConfig(), info.networkingConfig(), info.platform());
        }
    }

    @Schema(name = "ReplicaSetHistory")
    public record History(List<HistoryItem> history) {}

    @Schema(name = "ReplicaSetExecuteResult")
    public record ExecuteResult(
            @Schema(description = "stdout and stderr, interleaved", example = "/root\n") String stdout,
            @Schema(example = "0") long exitCode,
            @Schema(description = "true when the command outran the exec timeout (default 60s) and was abandoned", example = "false") boolean timedOut) {}

    @Schema(name = "ReplicaSetCommitResult")
    public record CommitResult(
            @Schema(example = "foo-snapshot:v1") String imageName,
            @Schema(example = "sha256:5b0d5e3b9f2f4c8e7d1a6b3c2e9f8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f") String imageId) {}
}
