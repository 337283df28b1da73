package io.gpudocker.recovery;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.validation.NameSyntax;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSettings;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.AllocationKind;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.store.Keys;
import io.gpudocker.store.StoreUnavailableException;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeNames;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeSize;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The first half of {@code --import-original}: what the original project left, checked against this service
 * and Docker before anything is changed. What is adopted already (its mark {@code imported/...} is there) or gone
 * from Docker is left out; a clash refuses the whole import.
 */
class ImportPlanner {
    private static final Logger log = LoggerFactory.getLogger(ImportPlanner.class);

    private final OriginalLayout layout;
    private final Keys keys;
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;
    private final SystemDiskCopier diskCopier;
    private final DockerVolumes dockerVolumes;

    /** A replicaset to adopt: the original container and how it was made. */
    record ReplicaSetPlan(OriginalLayout.ReplicaSet original, ContainerDetail container, ContainerSettings settings, ReplicaSetSpec spec) {
        String from() { return container.name(); }
    }

    /** A volume to adopt: the original Docker volume. */
    record VolumePlan(OriginalLayout.Volume original, VolumeSummary volume, VolumeSize size) {
        String from() { return volume.name(); }
    }

    /** What one run adopts, checked against everything before anything is changed. */
    record Plan(List<VolumePlan> volumes, List<ReplicaSetPlan> replicaSets) {
        boolean empty() { return volumes.isEmpty() && replicaSets.isEmpty(); }
    }

    ImportPlanner(OriginalLayout layout, Keys keys, ContainerEngine engine, VolumeEngine volumeEngine, ReplicaSetRepository replicaSets, VolumeRepository volumes,
                  SystemDiskCopier diskCopier, DockerVolumes dockerVolumes) {
        this.layout = layout;
        this.keys = keys;
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.replicaSets = replicaSets;
        this.volumes = volumes;
        this.diskCopier = diskCopier;
        this.dockerVolumes = dockerVolumes;
    }

    /** Plans every adoption; refuses, having written nothing, when the original's keys are absent or a name clashes. */
    Plan plan() {
        OriginalLayout.Found found = layout.read();
        if (found.empty()) {
            String early = layout.earlyLayoutPresent()
                    ? " Keys under " + OriginalLayout.EARLY_ROOT + " were found: that is the layout of development builds before v0.0.2, which is not imported."
                    : "";
            throw new StartRefusedException("--import-original: etcd holds no keys of the original project under " + keys.root()
                    + " (containers/, volumes/, versions/containerVersionMapKey, gpus/gpuStatusMapKey, ports/usedPortSetKey). Nothing was changed." + early,
                    "Point -e at the etcd the original project used, with gda.etcd.prefix /gpu-docker-api (its fixed root), or start without --import-original.");
        }
        List<String> clashes = new ArrayList<>();
        List<VolumePlan> volumePlans = planVolumes(found.volumes(), clashes);
        Set<String> volumesToAdopt = new TreeSet<>();
        volumePlans.forEach(p -> volumesToAdopt.add(p.from()));
        List<ReplicaSetPlan> replicaSetPlans = planReplicaSets(found.replicaSets(), volumesToAdopt, clashes);
        if (!clashes.isEmpty()) {
            throw new StartRefusedException("--import-original refused, nothing was changed: " + String.join("; ", clashes),
                    "Resolve each of these (rename or remove this service's object of that name, or the original's), then start again with --import-original.");
        }
        return new Plan(volumePlans, replicaSetPlans);
    }

    private List<VolumePlan> planVolumes(List<OriginalLayout.Volume> originals, List<String> clashes) {
        List<VolumePlan> plans = new ArrayList<>();
        for (OriginalLayout.Volume v : originals) {
            if (layout.value(keys.imported(OriginalImport.VOLUMES, v.name())).isPresent()) {
                continue;
            }
            String dockerName = VolumeNames.dockerName(v.name(), v.version());
            if (!NameSyntax.wellFormed(v.name())) {
                clashes.add("volume name '" + v.name() + "' " + NameSyntax.RULE);
                continue;
            }
            Optional<VolumeSummary> volume = volumeEngine.inspectVolume(dockerName);
            if (volume.isEmpty()) {
                log.warn("--import-original: volume {} is recorded at version {}, but Docker has no volume {}; nothing to adopt", v.name(), v.version(), dockerName);
                continue;
            }
            if (volume.get().labels() != null && volume.get().labels().containsKey(ManagedLabels.OWNER)) {
                clashes.add("Docker volume " + dockerName + " carries this service's labels, not the original's");
                continue;
            }
            if (v.value() == null && exists(() -> volumes.find(v.name()).isPresent())) {
                clashes.add("volume '" + v.name() + "' exists in this service already");
                continue;
            }
            VolumeSize size = null;
            if (v.size() != null) {
                try {
                    size = VolumeSize.parse(v.size());
                } catch (ApiException e) {
                    log.warn("--import-original: volume {} has the size '{}', which is not a size here ({}); it is adopted without a size", v.name(), v.size(), e.getMessage());
                }
            }
            plans.add(new VolumePlan(v, volume.get(), size));
        }
        return plans;
    }

    private List<ReplicaSetPlan> planReplicaSets(List<OriginalLayout.ReplicaSet> originals, Set<String> volumesToAdopt, List<String> clashes) {
        List<ReplicaSetPlan> plans = new ArrayList<>();
        Map<String, String> gpusHeld = new HashMap<>(replicaSets.allocations(AllocationKind.GPU));
        Map<Integer, String> portsHeld = new HashMap<>(replicaSets.allocations(AllocationKind.PORT));
        for (OriginalLayout.ReplicaSet r : originals) {
            if (layout.value(keys.imported(OriginalImport.CONTAINERS, r.name())).isPresent()) {
                continue;
            }
            if (!NameSyntax.wellFormed(r.name())) {
                clashes.add("replicaset name '" + r.name() + "' " + NameSyntax.RULE);
                continue;
            }
            Optional<ContainerDetail> container = currentContainer(r);
            if (container.isEmpty()) {
                log.warn("--import-original: replicaset {} is recorded at version {}, but Docker has no container {}-{}; nothing to adopt",
                        r.name(), r.version(), r.name(), r.version());
                continue;
            }
            String from = container.get().name();
            if (container.get().labels() != null && container.get().labels().containsKey(ManagedLabels.OWNER)) {
                clashes.add("container " + from + " carries this service's labels, not the original's");
                continue;
            }
            if (exists(() -> replicaSets.find(r.name()).isPresent())) {
                clashes.add("replicaset '" + r.name() + "' exists in this service already");
                continue;
            }
            try {
                diskCopier.requireSupported(container.get());
            } catch (ApiException e) {
                clashes.add(e.getMessage());
                continue;
            }
            ContainerSettings settings = engine.settings(from).orElseThrow(() -> new IllegalStateException("container " + from + " vanished"));
            ReplicaSetSpec spec = spec(r, settings);
            for (Bind b : spec.binds()) {
                if (!b.isHostPath() && !volumesToAdopt.contains(b.src()) && !dockerVolumes.volumeOf(b.src()).isPresent()) {
                    clashes.add("container " + from + " mounts the Docker volume " + b.src() + ", which is neither the current version of a volume in the original's records nor one of this service's");
                }
            }
            if (container.get().running()) {
                for (String gpu : settings.gpuUuids()) {
                    String holder = gpusHeld.putIfAbsent(gpu, r.name());
                    if (holder != null) {
                        clashes.add("GPU " + gpu + " of container " + from + " is held by replicaset '" + holder + "'");
                    }
                }
                for (Integer port : settings.portBindings().values()) {
                    String holder = portsHeld.putIfAbsent(port, r.name());
                    if (holder != null) {
                        clashes.add("host port " + port + " of container " + from + " is held by replicaset '" + holder + "'");
                    }
                }
            }
            plans.add(new ReplicaSetPlan(r, container.get(), settings, spec));
        }
        return plans;
    }

    /** Whether this service has a record of that name; a value it cannot read there counts as one (it is not the original's). */
    private static boolean exists(BooleanSupplier found) {
        try {
            return found.getAsBoolean();
        } catch (ApiException e) {
            if (e instanceof StoreUnavailableException) {
                throw e;
            }
            return true;
        }
    }

    /**
     * The container {@code name-N} that is current: the recorded N, or a later one the original made but had
     * not recorded yet (it wrote its records from a queue).
     */
    private Optional<ContainerDetail> currentContainer(OriginalLayout.ReplicaSet r) {
        Optional<ContainerDetail> current = engine.inspect(ReplicaSetRecord.containerName(r.name(), r.version()));
        for (long v = r.version() + 1; ; v++) {
            Optional<ContainerDetail> later = engine.inspect(ReplicaSetRecord.containerName(r.name(), v));
            if (later.isEmpty() || later.get().labels() != null && later.get().labels().containsKey(ManagedLabels.OWNER)) {
                return current;
            }
            current = later;
        }
    }

    /**
     * What the original asked for (its record's config: image, env, cmd), with what Docker holds for the
     * binds and ports. The original's own CONTAINER_VERSION is left out: every version here sets its own.
     */
    private static ReplicaSetSpec spec(OriginalLayout.ReplicaSet r, ContainerSettings settings) {
        JsonNode config = OriginalLayout.field(r.info(), "config");
        String image = OriginalLayout.field(config, "Image").isString() ? OriginalLayout.field(config, "Image").asString() : settings.image();
        List<String> env = config.isObject() ? strings(OriginalLayout.field(config, "Env")) : settings.env();
        List<String> cmd = config.isObject() ? strings(OriginalLayout.field(config, "Cmd")) : settings.cmd();
        List<Bind> binds = settings.binds().stream().map(ImportPlanner::bind).toList();
        return new ReplicaSetSpec(image, settings.gpuUuids().size(), binds,
                env.stream().filter(e -> !e.startsWith("CONTAINER_VERSION=")).toList(), cmd, List.copyOf(settings.portBindings().keySet()),
                // as the original ran it: unpinned, no memory limit, Docker's /dev/shm, its command as PID 1
                0, 0L, 0L, false);
    }

    private static Bind bind(String dockerBind) {
        String[] parts = dockerBind.split(":");
        return new Bind(parts[0], parts.length > 1 ? parts[1] : parts[0]);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
