package io.gpudocker.replicaset;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies. */
public final class ReplicaSetViews {
    private ReplicaSetViews() {}

    public record Created(String name, String replicaSetName, long version, List<String> gpus, Map<String, Integer> ports) {}

    public record ContainerNameView(String containerName) {}

    /** The current version as the user sees it, with Docker's live status next to the recorded state. */
    public record Detail(
            String name,
            long version,
            String containerName,
            String state,
            String containerStatus,
            Instant createTime,
            Instant updateTime,
            Instant versionCreateTime,
            String image,
            int gpuCount,
            List<String> gpus,
            List<Bind> binds,
            List<String> env,
            List<String> cmd,
            Map<String, Integer> ports) {}

    public record Summary(String name, long version, String containerName, String state, int gpuCount, List<String> gpus, Map<String, Integer> ports) {}

    public record HistoryItem(long version, Instant createTime, boolean snapshotAvailable, ReplicaSetVersion status) {}

    public record History(List<HistoryItem> history) {}

    public record ExecuteResult(String stdout, long exitCode, boolean timedOut) {}

    public record CommitResult(String imageName, String imageId) {}
}
