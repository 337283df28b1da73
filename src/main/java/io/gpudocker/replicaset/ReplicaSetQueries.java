package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.resource.cpu.CpuList;
import io.gpudocker.store.PrefixStamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Reads: a replicaset's current version, the list, the history, and which container's logs to read. */
public class ReplicaSetQueries {
    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;

    private final ProgressBoard progress;
    private final RemoteSnapshots remote;

    public ReplicaSetQueries(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, ProgressBoard progress) {
        this(repo, engine, containers, progress, RemoteSnapshots.NONE);
    }

    /** @param remote asks another node which of a replicaset's containers it keeps (its versions from before a move) */
    public ReplicaSetQueries(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, ProgressBoard progress,
                             RemoteSnapshots remote) {
        this.remote = remote;
        this.progress = progress;
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
    }

    /** How many names' last-read containers are kept for {@link #get}; more start over (each then waits once more). */
    private static final int KEPT_CONTAINERS = 4096;

    /** The container the last read of each name found current: what the next read asks Docker about while etcd answers. */
    private final Map<String, String> lastContainers = new ConcurrentHashMap<>();

    /**
     * The current version as recorded, with Docker's live status beside the recorded state; the one inspect of
     * its container also gives {@code info} what Docker holds for it. One etcd round trip reads the record and its
     * version; the inspect of the container the last read of this name found runs while it travels, and is used only
     * when the record still names that container (else the record's container is inspected after it).
     */
    public ReplicaSetViews.Detail get(String name, Caller caller) {
        String guess = lastContainers.get(name);
        AtomicReference<Supplier<Optional<ContainerDetail>>> early = new AtomicReference<>();
        ReplicaSetRepository.Current read = repo.requireCurrent(name, caller, () -> {
            if (guess != null) {
                early.set(inspected(guess));
            }
        });
        ReplicaSetRecord record = read.stored().record();
        ReplicaSetVersion current = read.version();
        // a failed early inspect speaks only where its answer is used: a name refused by etcd is refused as before
        Optional<ContainerDetail> live = record.containerName().equals(guess) ? early.get().get() : engine.inspect(record.containerName());
        if (!record.containerName().equals(guess)) {
            if (lastContainers.size() >= KEPT_CONTAINERS) {
                lastContainers.clear();
            }
            lastContainers.put(name, record.containerName());
        }
        String status = live.map(ContainerDetail::status).orElse("missing");
        Integer exitCode = live.map(ContainerDetail::exitCode).orElse(null);
        ReplicaSetSpec spec = current.spec();
        return new ReplicaSetViews.Detail(name, record.version(), record.containerName(), record.state().name().toLowerCase(), status, exitCode,
                record.createTime(), record.updateTime(), current.createTime(), spec.image(), spec.gpuCount(), record.gpus(),
                spec.binds(), spec.env(), spec.cmd(), spec.init(), record.state().holdsResources() ? record.ports() : current.ports(),
                record.cpus().size(), CpuList.format(record.cpus()), ReplicaSetViews.size(current.memory()), ReplicaSetViews.size(current.shmSize()),
                OriginalContainerInfo.of(current, containers.recordedSpecOf(current, record.tenant()), live.map(ContainerDetail::configs).orElse(null)),
                progress.of(ReplicaSetViews.progressKey(name)).orElse(null), record.node());
    }

    /** Docker's answer about {@code container}, or its failure, to be given (or thrown) when asked for. */
    private Supplier<Optional<ContainerDetail>> inspected(String container) {
        try {
            Optional<ContainerDetail> found = engine.inspect(container);
            return () -> found;
        } catch (RuntimeException e) {
            return () -> {
                throw e;
            };
        }
    }

    /** How many callers' last lists are kept; more callers than that start over (each then reads once more). */
    private static final int KEPT_LISTS = 64;

    /** The last list answered to each caller, with the stamp of the records it was built from. */
    private final Map<String, Built> lists = new ConcurrentHashMap<>();

    private record Built(PrefixStamp stamp, List<ReplicaSetViews.Summary> items) {}

    /** The list and its ETag (null while an update runs on this node: its progress is in the list and moves no record). */
    public record Listing(List<ReplicaSetViews.Summary> items, String etag) {}

    /**
     * The list, built again only when a record changed since this caller's last one: one small read of the records'
     * stamp (their count and latest revision) tells; the ETag is made of it, so an unchanged list costs that read alone.
     */
    public Listing listing(Caller caller) {
        PrefixStamp stamp = repo.stamp();
        if (!progress.idle(ReplicaSetViews.progressKey(""))) {
            return new Listing(list(caller), null);
        }
        String tag = "\"rs-" + stamp.count() + "-" + stamp.maxModRevision() + "-" + Integer.toHexString(caller.name().hashCode()) + "\"";
        Built last = lists.get(caller.name());
        if (last != null && last.stamp().equals(stamp)) {
            return new Listing(last.items(), tag);
        }
        List<ReplicaSetViews.Summary> items = list(caller);
        if (lists.size() >= KEPT_LISTS) {
            lists.clear();
        }
        lists.put(caller.name(), new Built(stamp, items));
        return new Listing(items, tag);
    }

    /** One read of the records: each carries its current image (a record written before it did has its version read). */
    public List<ReplicaSetViews.Summary> list(Caller caller) {
        return repo.list(caller).stream().map(r -> new ReplicaSetViews.Summary(r.name(), r.version(), r.containerName(),
                r.state().name().toLowerCase(), r.gpus().size(), r.gpus(), r.ports(), CpuList.format(r.cpus()), ReplicaSetViews.size(r.memory()),
                r.image() != null ? r.image() : repo.version(r.name(), r.version()).map(v -> v.spec().image()).orElse(null),
                r.tenant() == null ? Caller.ADMIN_NAME : r.tenant(), r.createTime(), r.updateTime(),
                progress.of(ReplicaSetViews.progressKey(r.name())).orElse(null), r.node())).toList();
    }

    /**
     * Every version, newest first, each saying whether its filesystem snapshot is still there to roll back to, wherever
     * the history is read: one container list per node that holds versions (the instance's node, the nodes a move left
     * earlier versions on), this node's from its own engine, the others' asked of them; not a Docker call per version.
     */
    public ReplicaSetViews.History history(String name, Caller caller) {
        ReplicaSetRecord record = repo.requireVisible(name, caller).record();
        String tenant = record.tenant();
        List<ReplicaSetVersion> versions = repo.history(name);
        Map<String, Set<String>> kept = new HashMap<>();
        Function<String, Set<String>> keptOn = node -> kept.computeIfAbsent(node == null ? "" : node, n -> n.isEmpty() || n.equals(repo.localNode())
                ? containers.of(name).stream().map(ContainerSummary::name).collect(Collectors.toSet())
                : remote.containers(n, name, caller));
        return new ReplicaSetViews.History(versions.stream()
                .map(v -> new ReplicaSetViews.HistoryItem(v.version(), v.createTime(),
                        keptOn.apply(VersionPlaces.nodeOf(record.node(), versions, v.version())).contains(v.containerName()),
                        ReplicaSetViews.VersionStatus.of(v, OriginalContainerInfo.of(v, containers.recordedSpecOf(v, tenant)))))
                .toList());
    }

    /** The container whose logs to stream: the current version's, or version {@code version}'s if given. */
    public String logsContainer(String name, Long version, Caller caller) {
        ReplicaSetRecord record = repo.require(name, caller).record();
        long v = version == null ? record.version() : version;
        if (v <= 0 || v > record.version()) {
            throw ApiException.of(ErrorCode.VERSION_NOT_FOUND, "replicaset '%s' has no version %d (versions 1-%d exist)", name, v, record.version());
        }
        String container = ReplicaSetRecord.containerName(name, v);
        if (engine.inspect(container).isEmpty()) {
            throw ApiException.of(ErrorCode.SNAPSHOT_PRUNED, "container %s of version %d no longer exists (pruned by the history limit)", container, v);
        }
        return container;
    }
}
