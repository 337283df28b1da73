package io.gpudocker.volume;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import java.util.List;
import java.util.Optional;

/** Reads: a volume's current version with its Docker volume and users, the list, the history. */
public class VolumeQueries {
    private final VolumeRepository repo;
    private final VolumeEngine engine;
    private final VolumeJanitor janitor;
    private final DockerVolumes dockerVolumes;

    private final ProgressBoard progress;

    public VolumeQueries(VolumeRepository repo, VolumeEngine engine, VolumeJanitor janitor, DockerVolumes dockerVolumes, ProgressBoard progress) {
        this.progress = progress;
        this.repo = repo;
        this.engine = engine;
        this.janitor = janitor;
        this.dockerVolumes = dockerVolumes;
    }

    /**
     * Whether an instance of {@code tenant} may mount the Docker volume: it must be a version of one of this
     * service's volumes, and that volume the tenant's (an admin's instance may mount any of them).
     */
    public boolean usableBy(String dockerVolume, String tenant) {
        Caller owner = tenant == null || Caller.ADMIN_NAME.equals(tenant) ? Caller.ADMIN : Caller.tenant(tenant);
        return dockerVolumes.volumeOf(dockerVolume)
                .flatMap(repo::find)
                .filter(s -> owner.maySee(s.record().tenant()))
                .isPresent();
    }

    public VolumeViews.Detail get(String name, Caller caller) {
        janitor.schedule();
        VolumeRecord r = repo.require(name, caller).record();
        Optional<VolumeSummary> docker = engine.inspectVolume(r.dockerName());
        List<String> users = docker.isPresent() ? engine.containersUsingVolume(r.dockerName()) : List.of();
        return new VolumeViews.Detail(r.name(), r.version(), r.dockerName(), r.size(), r.sizeBytes(), r.sizeEnforced(),
                r.createTime(), r.updateTime(), docker.map(VolumeSummary::mountpoint).orElse(null), docker.isPresent(), users,
                VolumeViews.OriginalVolumeInfo.of(r.version(), versionCreateTime(r), r.dockerName(), r.size()),
                progress.of(VolumeViews.progressKey(r.name())).orElse(null), r.node());
    }

    /** When the current version was made, from its own record (the volume's record says when the volume was). */
    private java.time.Instant versionCreateTime(VolumeRecord r) {
        return repo.version(r.name(), r.version()).map(VolumeVersion::createTime).orElse(r.createTime());
    }

    public List<VolumeViews.Summary> list(Caller caller) {
        janitor.schedule();
        return repo.list(caller).stream().map(r -> new VolumeViews.Summary(r.name(), r.version(), r.dockerName(), r.size(), r.sizeBytes(),
                r.sizeEnforced(), progress.of(VolumeViews.progressKey(r.name())).orElse(null), r.node())).toList();
    }

    public VolumeViews.History history(String name, Caller caller) {
        repo.requireVisible(name, caller);
        return new VolumeViews.History(repo.history(name).stream()
                .map(v -> new VolumeViews.HistoryItem(v.version(), v.createTime(), v.size(), v.sizeBytes(), v.sizeEnforced(),
                        v.dockerName(), v.cause(), engine.inspectVolume(v.dockerName()).isPresent(),
                        VolumeViews.OriginalVolumeInfo.of(v.version(), v.createTime(), v.dockerName(), v.size())))
                .toList());
    }
}
