package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.docker.EngineException;
import io.gpudocker.docker.VolumeView;
import io.gpudocker.volume.VolumeRepository.Stored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume lifecycle. Version N of volume {@code data} is the Docker volume {@code data-N}; a size change
 * makes {@code data-(N+1)} and copies the data, so a Docker volume name is never reused (Docker can drop a
 * re-created name's quota until it restarts). Every acknowledged change is one etcd transaction written
 * before the response; a failed call removes the Docker volume it created and leaves the record as it was.
 */
public class VolumeService {
    private static final Logger log = LoggerFactory.getLogger(VolumeService.class);
    /** How many leftover Docker names a create or resize steps over before giving up. */
    private static final int MAX_SKIPPED_VERSIONS = 100;

    private final VolumeRepository repo;
    private final ContainerEngine engine;
    private final NameLocks locks;
    private final VolumeSizeSupport sizeSupport;
    private final VolumeDataCopier copier;
    private final VolumeJanitor janitor;
    private final String owner;

    public VolumeService(VolumeRepository repo, ContainerEngine engine, NameLocks locks, VolumeSizeSupport sizeSupport,
                         VolumeDataCopier copier, VolumeJanitor janitor, String owner) {
        this.repo = repo;
        this.engine = engine;
        this.locks = locks;
        this.sizeSupport = sizeSupport;
        this.copier = copier;
        this.janitor = janitor;
        this.owner = owner;
    }

    /** Volumes lock in their own namespace, so a volume and a replicaset of the same name do not wait for each other. */
    static String lockKey(String name) { return "volume:" + name; }

    // ---- create ---------------------------------------------------------------------------------------

    public VolumeViews.Created create(VolumeRequests.Create req) {
        String name = req == null ? null : req.name();
        VolumeNames.validate(name);
        VolumeSize size = req.size() == null || req.size().isBlank() ? null : VolumeSize.parse(req.size());
        try (var held = locks.lock(lockKey(name))) {
            if (repo.find(name).isPresent()) {
                throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", name);
            }
            boolean enforced = size != null && sizeSupport.enforced();
            long version = freeVersion(name, 1);
            String dockerName = VolumeNames.dockerName(name, version);
            Instant now = Instant.now();
            Long bytes = size == null ? null : size.bytes();
            String text = size == null ? null : size.text();
            VolumeVersion first = new VolumeVersion(name, version, dockerName, bytes, text, enforced, now, "create");
            VolumeRecord record = new VolumeRecord(name, version, bytes, text, enforced, now, now);
            boolean created = false;
            try {
                engine.createVolume(dockerName, driverOpts(size, enforced), VolumeLabels.of(owner, name, version));
                created = true;
                repo.create(record, first);
            } catch (RuntimeException e) {
                if (created) {
                    quietly(() -> engine.removeVolume(dockerName));
                }
                throw translate(e, ErrorCode.VOLUME_CREATE_FAILED, "create volume '" + name + "'");
            }
            log.info("volume {} created: Docker volume {}, size {}{}", name, dockerName,
                    size == null ? "unlimited" : size, size == null ? "" : enforced ? " (enforced)" : " (declared, not enforced)");
            return new VolumeViews.Created(dockerName, name, version, text, bytes, enforced);
        } finally {
            janitor.schedule();
        }
    }

    // ---- resize ---------------------------------------------------------------------------------------

    public VolumeViews.Resized resize(String name, VolumeRequests.Resize req, boolean force) {
        VolumeNames.validate(name);
        VolumeSize size = VolumeSize.parse(req == null ? null : req.size());
        try (var held = locks.lock(lockKey(name))) {
            Stored stored = repo.require(name);
            VolumeRecord record = stored.record();
            if (record.sizeBytes() != null && record.sizeBytes() == size.bytes()) {
                throw ApiException.of(ErrorCode.VOLUME_SIZE_UNCHANGED, "volume '%s' already has the size %s (%d bytes)", name, record.size(), record.sizeBytes());
            }
            String currentName = record.dockerName();
            VolumeView current = engine.inspectVolume(currentName).orElseThrow(() -> ApiException.of(ErrorCode.VOLUME_PATCH_FAILED,
                    "the Docker volume %s of the current version of '%s' is missing; its data cannot be copied", currentName, name));
            copier.requireVisible(currentName, current.mountpoint());
            List<String> running = runningContainersUsing(currentName);
            if (!running.isEmpty() && !force) {
                throw ApiException.of(ErrorCode.VOLUME_IN_USE,
                        "volume '%s' (%s) is mounted by the running container(s) %s; pause or stop them first, or add ?force=true to copy while they run (what they write during the copy may be missing from the copy)",
                        name, currentName, running);
            }
            long used = copier.bytesInUse(current.mountpoint());
            if (size.bytes() < used) {
                throw ApiException.of(ErrorCode.VOLUME_SHRINK_BELOW_USED,
                        "the new size %s (%d bytes) is smaller than the %d bytes in use in %s", size.text(), size.bytes(), used, currentName);
            }
            boolean enforced = sizeSupport.enforced();
            long next = freeVersion(name, record.version() + 1);
            String nextName = VolumeNames.dockerName(name, next);
            VolumeVersion version = new VolumeVersion(name, next, nextName, size.bytes(), size.text(), enforced, Instant.now(),
                    "resize from " + (record.size() == null ? "unlimited" : record.size()) + (running.isEmpty() ? "" : " (forced while " + running + " ran)"));
            boolean created = false;
            long millis;
            try {
                VolumeView fresh = engine.createVolume(nextName, driverOpts(size, enforced), VolumeLabels.of(owner, name, next));
                created = true;
                String target = fresh.mountpoint() != null ? fresh.mountpoint()
                        : engine.inspectVolume(nextName).map(VolumeView::mountpoint).orElse(null);
                copier.requireVisible(nextName, target);
                millis = copier.copy(current.mountpoint(), target);
                repo.resize(stored, record.resized(next, size, enforced), version);
            } catch (RuntimeException e) {
                if (created) {
                    quietly(() -> engine.removeVolume(nextName));
                }
                throw translate(e, ErrorCode.VOLUME_PATCH_FAILED, "resize volume '" + name + "'");
            }
            String warning = running.isEmpty() ? null : String.format(
                    "copied while %s kept running with %s mounted; what they wrote during the copy may be missing from %s", running, currentName, nextName);
            log.info("volume {} resized: {} -> {} ({} -> {}{}), {} bytes in use copied in {} ms{}", name, currentName, nextName,
                    record.size() == null ? "unlimited" : record.size(), size, enforced ? ", enforced" : ", declared, not enforced",
                    used, millis, warning == null ? "" : "; FORCED: " + warning);
            return new VolumeViews.Resized(nextName, name, next, size.text(), size.bytes(), enforced, currentName, used, millis, warning);
        } finally {
            janitor.schedule();
        }
    }

    // ---- delete ---------------------------------------------------------------------------------------

    public void delete(String name) {
        VolumeNames.validate(name);
        try (var held = locks.lock(lockKey(name))) {
            Stored stored = repo.require(name);
            List<VolumeVersion> versions = new ArrayList<>(repo.history(name));
            List<String> ours = new ArrayList<>();
            Map<String, List<String>> mounted = new LinkedHashMap<>();
            for (VolumeVersion v : versions) {
                Optional<VolumeView> docker = engine.inspectVolume(v.dockerName());
                if (docker.isPresent() && VolumeLabels.belongsTo(docker.get().labels(), owner, name)) {
                    ours.add(0, v.dockerName()); // oldest first, so the current version goes last
                    List<String> users = engine.containersUsingVolume(v.dockerName());
                    if (!users.isEmpty()) {
                        mounted.put(v.dockerName(), users);
                    }
                }
            }
            if (!mounted.isEmpty()) {
                throw ApiException.of(ErrorCode.VOLUME_IN_USE, "volume '%s' is still mounted (%s); delete those containers or rebind them to another volume first",
                        name, describe(mounted));
            }
            // Docker volumes first, then the record: a failure part way leaves the record, and the current version, to retry with
            for (String dockerName : ours) {
                try {
                    engine.removeVolume(dockerName);
                } catch (RuntimeException e) {
                    throw translate(e, ErrorCode.VOLUME_DELETE_FAILED, "delete volume '" + name + "' (Docker volume " + dockerName + ")");
                }
            }
            repo.delete(stored);
            log.info("volume {} deleted: removed Docker volumes {} and forgot {} version record(s)", name, ours, versions.size());
        }
    }

    // ---- reads ----------------------------------------------------------------------------------------

    public VolumeViews.Detail get(String name) {
        VolumeNames.validate(name);
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
        VolumeNames.validate(name);
        repo.require(name);
        return new VolumeViews.History(repo.history(name).stream()
                .map(v -> new VolumeViews.HistoryItem(v.version(), v.createTime(), v.size(), v.sizeBytes(), v.sizeEnforced(),
                        v.dockerName(), v.cause(), engine.inspectVolume(v.dockerName()).isPresent()))
                .toList());
    }

    public VolumeSizeSupport.Status sizeSupport() { return sizeSupport.status(); }

    // ---- helpers --------------------------------------------------------------------------------------

    /**
     * The first version number from {@code from} whose Docker name is free. A volume of ours under that name
     * that no record knows was left by a call interrupted before its record was written: it is removed and
     * its number skipped, never re-created. A volume that is not ours is never touched.
     */
    private long freeVersion(String name, long from) {
        for (long v = from; v < from + MAX_SKIPPED_VERSIONS; v++) {
            String dockerName = VolumeNames.dockerName(name, v);
            Optional<VolumeView> existing = engine.inspectVolume(dockerName);
            if (existing.isEmpty()) {
                return v;
            }
            if (!VolumeLabels.belongsTo(existing.get().labels(), owner, name)) {
                throw ApiException.of(ErrorCode.VOLUME_EXISTS, "a Docker volume named '%s' already exists and is not managed by this service; remove or rename it first", dockerName);
            }
            if (engine.containersUsingVolume(dockerName).isEmpty()) {
                log.warn("volume {}: removing {}, left by a call interrupted before its record was written; version {} is skipped", name, dockerName, v);
                quietly(() -> engine.removeVolume(dockerName));
            }
        }
        throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s': Docker volumes %s-%d to %s-%d all exist already", name, name, from, name, from + MAX_SKIPPED_VERSIONS - 1);
    }

    private Map<String, String> driverOpts(VolumeSize size, boolean enforced) {
        // Docker's local driver refuses a size it cannot enforce, so the option is only passed where quota works
        return size != null && enforced ? Map.of("size", Long.toString(size.bytes())) : Map.of();
    }

    private List<String> runningContainersUsing(String dockerName) {
        List<String> running = new ArrayList<>();
        for (String c : engine.containersUsingVolume(dockerName)) {
            if (engine.inspect(c).map(ContainerView::running).orElse(false)) {
                running.add(c);
            }
        }
        return running;
    }

    private static String describe(Map<String, List<String>> mounted) {
        List<String> parts = new ArrayList<>();
        mounted.forEach((volume, users) -> parts.add(volume + " by container(s) " + users));
        return String.join("; ", parts);
    }

    private static ApiException translate(RuntimeException e, ErrorCode failure, String what) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof EngineException ee && ee.status() == 409) {
            return new ApiException(ErrorCode.VOLUME_IN_USE, "cannot " + what + ": " + ee.getMessage(), e);
        }
        return new ApiException(failure, "failed to " + what + ": " + e.getMessage(), e);
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("cleanup step failed: {}", e.getMessage());
        }
    }
}
