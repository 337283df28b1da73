package io.gpudocker.volume;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.VolumeView;
import java.util.List;
import java.util.Optional;

/** Reads: a volume's current version with its Docker volume and users, the list, the history. */
public class VolumeQueries {
    private final VolumeRepository repo;
    private final ContainerEngine engine;
    private final VolumeJanitor janitor;

    public VolumeQueries(VolumeRepository repo, ContainerEngine engine, VolumeJanitor janitor) {
        this.repo = repo;
        this.engine = engine;
        this.janitor = janitor;
    }

    public VolumeViews.Detail get(String name) {
        janitor.schedule();
        VolumeRecord r = repo.require(name).record();
        Optional<VolumeView> docker = engine.inspectVolume(r.dockerName());
        List<String> users = docker.isPresent() ? engine.containersUsingVolume(r.dockerName()) : List.of();
        return new VolumeViews.Detail(r.name(), r.version(), r.dockerName(), r.size(), r.sizeBytes(), r.sizeEnforced(),
                r.createTime(), r.updateTime(), docker.map(VolumeView::mountpoint).orElse(null), docker.isPresent(), users);
    }

    public List<VolumeViews.Summary> list() {
        janitor.schedule();
        return repo.list().stream().map(r -> new VolumeViews.Summary(r.name(), r.version(), r.dockerName(), r.size(), r.sizeBytes(),
                r.sizeEnforced())).toList();
    }

    public VolumeViews.History history(String name) {
        repo.require(name);
        return new VolumeViews.History(repo.history(name).stream()
                .map(v -> new VolumeViews.HistoryItem(v.version(), v.createTime(), v.size(), v.sizeBytes(), v.sizeEnforced(),
                        v.dockerName(), v.cause(), engine.inspectVolume(v.dockerName()).isPresent()))
                .toList());
    }
}
