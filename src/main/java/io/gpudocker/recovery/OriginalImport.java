package io.gpudocker.recovery;

import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.IntentScope;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.StoreUnavailableException;
import io.gpudocker.volume.ContainerFreeze;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeDataCopier;
import io.gpudocker.volume.VolumeNames;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeSizeSupport;
import io.gpudocker.volume.VolumeVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --import-original}: adopts the original project's replicasets and volumes. Docker labels cannot be
 * added to an existing object, and this service finds its objects by their labels, so nothing is adopted in
 * place: each volume {@code bar-M} is copied into a new labelled version {@code bar-(M+1)}, and each replicaset's
 * container {@code foo-N} gets a new labelled version {@code foo-(N+1)} with the same image, env, cmd, GPUs and
 * host ports, its binds moved to the copied volumes and its system disk carried over as an update carries it.
 * The originals are stopped and kept, never removed: they carry no label of this service, so nothing here
 * (reconcile, janitor, pruner, delete) ever sees them. Each adoption commits in one transaction with a mark
 * ({@code imported/...}) holding the original's value, so running it again adopts nothing twice.
 */
class OriginalImport {
    private static final Logger log = LoggerFactory.getLogger(OriginalImport.class);
    static final String CONTAINERS = "containers";
    static final String VOLUMES = "volumes";

    private final ImportPlanner planner;
    private final Keys keys;
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;
    private final VersionContainers containers;
    private final SystemDiskCopier diskCopier;
    private final DockerVolumes dockerVolumes;
    private final VolumeDataCopier dataCopier;
    private final VolumeSizeSupport sizeSupport;
    private final ContainerFreeze freeze;
    private final Intents operations;

    OriginalImport(ImportPlanner planner, Keys keys, ContainerEngine engine, VolumeEngine volumeEngine, ReplicaSetRepository replicaSets, VolumeRepository volumes,
                   VersionContainers containers, SystemDiskCopier diskCopier, DockerVolumes dockerVolumes, VolumeDataCopier dataCopier,
                   VolumeSizeSupport sizeSupport, ContainerFreeze freeze, Intents operations) {
        this.planner = planner;
        this.keys = keys;
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.replicaSets = replicaSets;
        this.volumes = volumes;
        this.containers = containers;
        this.diskCopier = diskCopier;
        this.dockerVolumes = dockerVolumes;
        this.dataCopier = dataCopier;
        this.sizeSupport = sizeSupport;
        this.freeze = freeze;
        this.operations = operations;
    }

    /** Plans every adoption; refuses, having written nothing, when the original's keys are absent or a name clashes. */
    ImportPlanner.Plan plan() {
        return planner.plan();
    }

    /**
     * Adopts what {@link #plan()} found. An object that fails is put back as it was (its original running
     * again) and the start is refused, naming it; those adopted stay adopted.
     */
    void adopt(ImportPlanner.Plan plan) {
        List<ImportPlanner.VolumePlan> volumePlans = plan.volumes();
        List<ImportPlanner.ReplicaSetPlan> replicaSetPlans = plan.replicaSets();
        if (plan.empty()) {
            log.info("--import-original: nothing to adopt; every replicaset and volume of the original project under {} is adopted already or gone", keys.root());
            return;
        }
        Map<String, String> volumeMoves = new HashMap<>();
        volumePlans.forEach(p -> volumeMoves.put(p.from(), null));
        log.warn("--import-original: adopting {} volume(s) {} and {} replicaset(s) {} of the original project",
                volumePlans.size(), volumePlans.stream().map(ImportPlanner.VolumePlan::from).toList(),
                replicaSetPlans.size(), replicaSetPlans.stream().map(ImportPlanner.ReplicaSetPlan::from).toList());

        // the containers stop first, so the volumes they write are copied at rest
        Set<String> wasRunning = new TreeSet<>();
        try {
            for (ImportPlanner.ReplicaSetPlan p : replicaSetPlans) {
                if (p.container().running()) {
                    wasRunning.add(p.from());
                    engine.stop(p.from());
                }
            }
        } catch (RuntimeException e) {
            restart(wasRunning);
            throw e;
        }
        List<String> failures = new ArrayList<>();
        for (ImportPlanner.VolumePlan p : volumePlans) {
            try {
                volumeMoves.put(p.from(), adoptVolume(p));
            } catch (StoreUnavailableException | EngineUnavailableException e) {
                restart(wasRunning);
                throw e;
            } catch (RuntimeException e) {
                log.error("--import-original: volume {} ({}) was not adopted: {}", p.original().name(), p.from(), e.getMessage());
                failures.add("volume " + p.original().name() + " (" + p.from() + "): " + e.getMessage());
            }
        }
        for (ImportPlanner.ReplicaSetPlan p : replicaSetPlans) {
            boolean ran = wasRunning.remove(p.from());
            try {
                adoptReplicaSet(p, ran, volumeMoves);
            } catch (RuntimeException e) {
                if (ran) {
                    Undo.quietly(() -> engine.start(p.from()));
                }
                if (e instanceof StoreUnavailableException || e instanceof EngineUnavailableException) {
                    restart(wasRunning);
                    throw e;
                }
                log.error("--import-original: replicaset {} ({}) was not adopted and runs as before: {}", p.original().name(), p.from(), e.getMessage());
                failures.add("replicaset " + p.original().name() + " (" + p.from() + "): " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new StartRefusedException("--import-original could not adopt " + String.join("; ", failures)
                    + ". Their originals are as they were; everything else was adopted.",
                    "Fix the cause and start again with --import-original: what was adopted is not adopted twice.");
        }
    }

    private void restart(Set<String> stopped) {
        stopped.forEach(c -> Undo.quietly(() -> engine.start(c)));
    }

    /** Copies {@code bar-M} into a new labelled version and records it; returns the new Docker name. */
    private String adoptVolume(ImportPlanner.VolumePlan p) {
        String name = p.original().name();
        boolean enforced = p.size() != null && sizeSupport.enforced();
        long next = dockerVolumes.freeVersion(name, p.original().version() + 1);
        Instant now = Instant.now();
        VolumeVersion version = new VolumeVersion(name, next, VolumeNames.dockerName(name, next), p.size() == null ? null : p.size().bytes(),
                p.size() == null ? null : p.size().text(), enforced, now, "import of " + p.from() + " (original project)");
        VolumeRecord record = new VolumeRecord(name, next, version.sizeBytes(), version.size(), enforced, now, now, null, volumes.localNode());
        IntentScope.run(operations, Intent.start(Intent.VOLUME, "import", name, next), scope -> {
            VolumeSummary fresh = dockerVolumes.create(version, p.size(), scope.intent(), null);
            scope.undo(() -> volumeEngine.removeVolume(version.dockerName()));
            String target = fresh.mountpoint() != null ? fresh.mountpoint()
                    : volumeEngine.inspectVolume(version.dockerName()).map(VolumeSummary::mountpoint).orElse(null);
            dataCopier.requireVisible(p.from(), p.volume().mountpoint());
            dataCopier.requireVisible(version.dockerName(), target);
            long used = dataCopier.bytesInUse(p.volume().mountpoint());
            // containers outside the import that still run with it mounted are frozen for the copy
            try (ContainerFreeze.Frozen paused = freeze.freeze(dockerVolumes.runningUsers(p.from()))) {
                dataCopier.copy(p.volume().mountpoint(), target, used);
            }
            if (!volumes.adopt(record, version, scope.intent(), p.original().value(), keys.imported(VOLUMES, name), mark(p.from(), p.original().value()))) {
                throw new IllegalStateException("etcd refused the record of volume " + name + " (written by another writer meanwhile?)");
            }
        });
        log.info("--import-original: volume {} adopted: {} copied into {} ({}); {} is kept as it was", name, p.from(), version.dockerName(),
                p.size() == null ? "unlimited" : p.size() + (enforced ? ", enforced" : ", declared, not enforced"), p.from());
        return version.dockerName();
    }

    /** Makes {@code foo-(N+1)} from {@code foo-N} as an update would, started if the original ran, and records it. */
    private void adoptReplicaSet(ImportPlanner.ReplicaSetPlan p, boolean ran, Map<String, String> volumeMoves) {
        String name = p.original().name();
        List<Bind> binds = new ArrayList<>();
        for (Bind b : p.spec().binds()) {
            if (!b.isHostPath() && volumeMoves.containsKey(b.src())) {
                String moved = volumeMoves.get(b.src());
                if (moved == null) {
                    throw new IllegalStateException("its volume " + b.src() + " was not adopted");
                }
                binds.add(new Bind(moved, b.dest()));
            } else {
                binds.add(b);
            }
        }
        ReplicaSetSpec spec = p.spec().withBinds(binds);
        containers.requireRunnable(spec, null);
        long next = p.original().version() + 1;
        while (engine.inspect(ReplicaSetRecord.containerName(name, next)).isPresent()) {
            next++;
        }
        Instant now = Instant.now();
        ReplicaSetVersion version = new ReplicaSetVersion(name, next, ReplicaSetRecord.containerName(name, next), now,
                "import of " + p.from() + " (original project)", spec, p.settings().gpuUuids(), new LinkedHashMap<>(p.settings().portBindings()));
        ReplicaSetRecord running = new ReplicaSetRecord(name, next, ReplicaSetState.RUNNING, version.gpus(), version.ports(), now, now, null, List.of(), 0L, replicaSets.localNode(),
                spec.image());
        ReplicaSetRecord record = ran ? running : running.stopped();
        IntentScope.run(operations, Intent.start(Intent.REPLICASET, "import", name, next), scope -> {
            engine.create(containers.specOf(version, null, scope.id()));
            scope.undo(() -> engine.remove(version.containerName()));
            ContainerDetail fresh = engine.inspect(version.containerName())
                    .orElseThrow(() -> new IllegalStateException("container " + version.containerName() + " vanished after create"));
            diskCopier.copy(p.container(), fresh);
            if (ran) {
                engine.start(version.containerName());
            }
            if (!replicaSets.adopt(record, version, scope.intent(), keys.imported(CONTAINERS, name), mark(p.from(), p.original().value()))) {
                throw new IllegalStateException("etcd refused the record of replicaset " + name + " (written by another writer meanwhile, or a GPU or port taken?)");
            }
        });
        log.info("--import-original: replicaset {} adopted: {} -> {} ({}), GPUs {}, ports {}, binds {}; {} is kept, stopped", name, p.from(),
                version.containerName(), record.state(), version.gpus(), version.ports(), spec.binds().stream().map(Bind::asDockerBind).toList(), p.from());
    }

    /** What the mark keeps: where it came from, when, and the original's own value of the key. */
    private static String mark(String from, String originalValue) {
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("from", from);
        mark.put("importTime", Instant.now().toString());
        mark.put("original", originalValue);
        return Json.write(mark);
    }
}
