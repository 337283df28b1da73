package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.store.IntentScope;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A size change: version N+1 with the new size and a copy of the data. Running containers that mount the
 * volume are frozen (paused) for the copy and thawed after, so the copy is the volume at one instant and the
 * instance keeps running. The old version stays until nothing is bound to it (the janitor removes it then), so
 * the rebind of an instance onto the new version finds both; a failed resize removes the new Docker volume and
 * changes no record.
 */
public class VolumeResize {
    private static final Logger log = LoggerFactory.getLogger(VolumeResize.class);

    private final VolumeRepository repo;
    private final VolumeEngine engine;
    private final DockerVolumes dockerVolumes;
    private final NameLocks locks;
    private final VolumeSizeSupport sizeSupport;
    private final VolumeDataCopier copier;
    private final VolumeJanitor janitor;
    private final Intents operations;
    private final ContainerFreeze freeze;
    private final ProgressBoard progress;
    private final QuotaLedger quotas;

    public VolumeResize(VolumeRepository repo, VolumeEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                        VolumeSizeSupport sizeSupport, VolumeDataCopier copier, VolumeJanitor janitor, Intents operations,
                        ContainerFreeze freeze, ProgressBoard progress) {
        this(repo, engine, dockerVolumes, locks, sizeSupport, copier, janitor, operations, freeze, progress, null);
    }

    /** @param quotas the tenants' quotas a growing resize is checked against before it copies anything; null: none */
    public VolumeResize(VolumeRepository repo, VolumeEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                        VolumeSizeSupport sizeSupport, VolumeDataCopier copier, VolumeJanitor janitor, Intents operations,
                        ContainerFreeze freeze, ProgressBoard progress, QuotaLedger quotas) {
        this.quotas = quotas;
        this.progress = progress;
        this.repo = repo;
        this.engine = engine;
        this.dockerVolumes = dockerVolumes;
        this.locks = locks;
        this.sizeSupport = sizeSupport;
        this.copier = copier;
        this.janitor = janitor;
        this.operations = operations;
        this.freeze = freeze;
    }

    /**
     * @param force copy beside running containers without freezing them (what they write meanwhile may be missed,
     *              or caught half written); otherwise they are paused for the copy. The admin's alone
     */
    public VolumeViews.Resized resize(String name, VolumeRequests.Resize req, boolean force, Caller caller) {
        VolumeSize size = VolumeSize.parse(req == null ? null : req.size());
        try (var held = locks.lock(VolumeNames.lockKey(name)); var tracker = progress.begin(VolumeViews.progressKey(name), "resize to " + size.text())) {
            tracker.step("measuring the data");
            Stored<VolumeRecord> stored = repo.require(name, caller);
            VolumeRecord record = stored.record();
            if (force && !caller.admin()) {
                // unfrozen, the tenant's own instance could swap a directory for a link while root copies the tree
                throw ApiException.of(ErrorCode.FORBIDDEN, "only the admin may resize with force=true; resize without force "
                        + "(running instances are paused for the copy) or stop them first").onField("force");
            }
            if (record.sizeBytes() != null && record.sizeBytes() == size.bytes()) {
                throw ApiException.of(ErrorCode.VOLUME_SIZE_UNCHANGED, "volume '%s' already has the size %s (%d bytes)", name, record.size(), record.sizeBytes()).onField("size");
            }
            if (quotas != null) {
                // the same check rides in the commit (VolumeQuotaHook); this one refuses before a byte is copied
                quotas.precheck(record.tenant(), VolumeQuotaHook.held(record.resized(record.version(), size, false)).minus(VolumeQuotaHook.held(record)), Map.of());
            }
            String currentName = record.dockerName();
            VolumeSummary current = engine.inspectVolume(currentName).orElseThrow(() -> ApiException.of(ErrorCode.VOLUME_PATCH_FAILED,
                    "the Docker volume %s of the current version of '%s' is missing; its data cannot be copied", currentName, name));
            copier.requireVisible(currentName, current.mountpoint());
            List<String> running = dockerVolumes.runningUsers(currentName);
            long used = copier.bytesInUse(current.mountpoint());
            if (size.bytes() < used) {
                throw ApiException.of(ErrorCode.VOLUME_SHRINK_BELOW_USED,
                        "the new size %s (%d bytes) is smaller than the %d bytes in use in %s", size.text(), size.bytes(), used, currentName);
            }
            boolean enforced = sizeSupport.enforced();
            long next = dockerVolumes.freeVersion(name, record.version() + 1);
            VolumeVersion version = new VolumeVersion(name, next, VolumeNames.dockerName(name, next), size.bytes(), size.text(), enforced, Instant.now(),
                    "resize from " + (record.size() == null ? "unlimited" : record.size())
                            + (running.isEmpty() ? "" : force ? " (forced while " + running + " ran)" : " (copied with " + running + " frozen)"));
            CopyReport copy;
            List<String> frozen;
            if (!running.isEmpty() && !force) {
                tracker.step("pausing " + running + " for the copy");
            }
            try (ContainerFreeze.Frozen paused = force ? freeze.none() : freeze.freeze(running)) {
                frozen = paused.containers();
                copy = copyInto(stored, version, current, size, used, tracker);
            }
            String warning = running.isEmpty() || !force ? null : String.format(
                    "copied while %s kept running with %s mounted; what they wrote during the copy may be missing from %s", running, currentName, version.dockerName());
            log.info("volume {} resized: {} -> {} ({} -> {}{}), {} bytes in use copied by {} in {} ms{}{}", name, currentName, version.dockerName(),
                    record.size() == null ? "unlimited" : record.size(), size, enforced ? ", enforced" : ", declared, not enforced",
                    used, copy.method().label(), copy.millis(), frozen.isEmpty() ? "" : " with " + frozen + " frozen", warning == null ? "" : "; FORCED: " + warning);
            return new VolumeViews.Resized(version.dockerName(), name, next, size.text(), size.bytes(), enforced, currentName, used,
                    copy.millis(), copy.method().label(), frozen, warning);
        } finally {
            janitor.schedule();
        }
    }

    /** Creates the new version's Docker volume, copies the data in and records it; on failure removes it again. */
    private CopyReport copyInto(Stored<VolumeRecord> stored, VolumeVersion version, VolumeSummary current, VolumeSize size, long used,
                                ProgressBoard.Tracker tracker) {
        String name = version.name();
        try {
            // the intent first: a crash after the create leaves a volume the janitor can prove uncommitted
            return IntentScope.call(operations, Intent.start(Intent.VOLUME, "resize", name, version.version()), scope -> {
                VolumeSummary fresh = dockerVolumes.create(version, size, scope.intent(), stored.record().tenant());
                // never taken back when the record may already name it: the janitor would then remove the old version too
                scope.undo(() -> engine.removeVolume(version.dockerName()));
                String target = fresh.mountpoint() != null ? fresh.mountpoint()
                        : engine.inspectVolume(version.dockerName()).map(VolumeSummary::mountpoint).orElse(null);
                copier.requireVisible(version.dockerName(), target);
                tracker.copying("copying the data into " + version.dockerName(), used, () -> copier.bytesInUse(target));
                CopyReport copy = copier.copy(current.mountpoint(), target, used);
                tracker.step("recording version " + version.version());
                repo.resize(stored, stored.record().resized(version.version(), size, version.sizeEnforced()), version, scope.intent());
                return copy;
            });
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, ErrorCode.VOLUME_PATCH_FAILED, ErrorCode.VOLUME_IN_USE, "resize volume '" + name + "'");
        }
    }
}
