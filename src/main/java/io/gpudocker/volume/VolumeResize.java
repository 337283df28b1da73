package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.CopyReport;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.VolumeView;
import io.gpudocker.store.Stored;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A size change: version N+1 with the new size and a copy of the data. The old version stays until nothing
 * is bound to it (the janitor removes it then); a failed resize removes the new Docker volume and changes no record.
 */
public class VolumeResize {
    private static final Logger log = LoggerFactory.getLogger(VolumeResize.class);

    private final VolumeRepository repo;
    private final ContainerEngine engine;
    private final DockerVolumes dockerVolumes;
    private final NameLocks locks;
    private final VolumeSizeSupport sizeSupport;
    private final VolumeDataCopier copier;
    private final VolumeJanitor janitor;

    public VolumeResize(VolumeRepository repo, ContainerEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                        VolumeSizeSupport sizeSupport, VolumeDataCopier copier, VolumeJanitor janitor) {
        this.repo = repo;
        this.engine = engine;
        this.dockerVolumes = dockerVolumes;
        this.locks = locks;
        this.sizeSupport = sizeSupport;
        this.copier = copier;
        this.janitor = janitor;
    }

    /** @param force copy even while a running container mounts the volume (what it writes meanwhile may be missed) */
    public VolumeViews.Resized resize(String name, VolumeRequests.Resize req, boolean force, Caller caller) {
        VolumeSize size = VolumeSize.parse(req == null ? null : req.size());
        try (var held = locks.lock(VolumeNames.lockKey(name))) {
            Stored<VolumeRecord> stored = repo.require(name, caller);
            VolumeRecord record = stored.record();
            if (record.sizeBytes() != null && record.sizeBytes() == size.bytes()) {
                throw ApiException.of(ErrorCode.VOLUME_SIZE_UNCHANGED, "volume '%s' already has the size %s (%d bytes)", name, record.size(), record.sizeBytes());
            }
            String currentName = record.dockerName();
            VolumeView current = engine.inspectVolume(currentName).orElseThrow(() -> ApiException.of(ErrorCode.VOLUME_PATCH_FAILED,
                    "the Docker volume %s of the current version of '%s' is missing; its data cannot be copied", currentName, name));
            copier.requireVisible(currentName, current.mountpoint());
            List<String> running = dockerVolumes.runningUsers(currentName);
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
            long next = dockerVolumes.freeVersion(name, record.version() + 1);
            VolumeVersion version = new VolumeVersion(name, next, VolumeNames.dockerName(name, next), size.bytes(), size.text(), enforced, Instant.now(),
                    "resize from " + (record.size() == null ? "unlimited" : record.size()) + (running.isEmpty() ? "" : " (forced while " + running + " ran)"));
            CopyReport copy = copyInto(stored, version, current, size, used);
            String warning = running.isEmpty() ? null : String.format(
                    "copied while %s kept running with %s mounted; what they wrote during the copy may be missing from %s", running, currentName, version.dockerName());
            log.info("volume {} resized: {} -> {} ({} -> {}{}), {} bytes in use copied by {} in {} ms{}", name, currentName, version.dockerName(),
                    record.size() == null ? "unlimited" : record.size(), size, enforced ? ", enforced" : ", declared, not enforced",
                    used, copy.method().label(), copy.millis(), warning == null ? "" : "; FORCED: " + warning);
            return new VolumeViews.Resized(version.dockerName(), name, next, size.text(), size.bytes(), enforced, currentName, used,
                    copy.millis(), copy.method().label(), warning);
        } finally {
            janitor.schedule();
        }
    }

    /** Creates the new version's Docker volume, copies the data in and records it; on failure removes it again. */
    private CopyReport copyInto(Stored<VolumeRecord> stored, VolumeVersion version, VolumeView current, VolumeSize size, long used) {
        String name = version.name();
        boolean created = false;
        try {
            VolumeView fresh = dockerVolumes.create(name, version.version(), size, version.sizeEnforced(), stored.record().tenant());
            created = true;
            String target = fresh.mountpoint() != null ? fresh.mountpoint()
                    : engine.inspectVolume(version.dockerName()).map(VolumeView::mountpoint).orElse(null);
            copier.requireVisible(version.dockerName(), target);
            CopyReport copy = copier.copy(current.mountpoint(), target, used);
            repo.resize(stored, stored.record().resized(version.version(), size, version.sizeEnforced()), version);
            return copy;
        } catch (RuntimeException e) {
            if (created) {
                Undo.quietly(() -> engine.removeVolume(version.dockerName()));
            }
            throw EngineErrors.translate(e, ErrorCode.VOLUME_PATCH_FAILED, ErrorCode.VOLUME_IN_USE, "resize volume '" + name + "'");
        }
    }
}
