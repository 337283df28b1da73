package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Resource;
import io.gpudocker.store.IntentScope;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating and deleting volumes. Every acknowledged change is one etcd transaction written before the
 * response; a failed create removes the Docker volume it made and leaves no record.
 */
public class VolumeLifecycle {
    private static final Logger log = LoggerFactory.getLogger(VolumeLifecycle.class);

    private final VolumeRepository repo;
    private final VolumeEngine engine;
    private final DockerVolumes dockerVolumes;
    private final NameLocks locks;
    private final VolumeSizeSupport sizeSupport;
    private final VolumeJanitor janitor;
    private final Intents operations;
    /** Null: quotas are off. */
    private final QuotaLedger quotas;

    public VolumeLifecycle(VolumeRepository repo, VolumeEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                           VolumeSizeSupport sizeSupport, VolumeJanitor janitor, Intents operations) {
        this(repo, engine, dockerVolumes, locks, sizeSupport, janitor, operations, null);
    }

    /** @param quotas the tenants' quotas a create is checked against before it makes anything; null: none */
    public VolumeLifecycle(VolumeRepository repo, VolumeEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                           VolumeSizeSupport sizeSupport, VolumeJanitor janitor, Intents operations, QuotaLedger quotas) {
        this.quotas = quotas;
        this.repo = repo;
        this.engine = engine;
        this.dockerVolumes = dockerVolumes;
        this.locks = locks;
        this.sizeSupport = sizeSupport;
        this.janitor = janitor;
        this.operations = operations;
    }

    public VolumeViews.Created create(VolumeRequests.Create req, Caller caller) {
        String name = req.name();
        VolumeSize size = req.size() == null || req.size().isBlank() ? null : VolumeSize.parse(req.size());
        try (var held = locks.lock(VolumeNames.lockKey(name))) {
            if (repo.find(name).isPresent()) {
                throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", name).onField("name");
            }
            if (quotas != null) {
                // the same check rides in the commit (VolumeQuotaHook); this one refuses before a Docker volume is made
                quotas.precheck(caller.tenantName(), VolumeQuotaHook.creating(size == null ? null : size.bytes()), size != null ? Map.of()
                        : Map.of(Resource.VOLUME_SIZE, "a volume without a size, which may fill the disk; give it a size"));
            }
            boolean enforced = size != null && sizeSupport.enforced();
            long version = dockerVolumes.freeVersion(name, 1);
            String dockerName = VolumeNames.dockerName(name, version);
            Instant now = Instant.now();
            Long bytes = size == null ? null : size.bytes();
            String text = size == null ? null : size.text();
            VolumeVersion first = new VolumeVersion(name, version, dockerName, bytes, text, enforced, now, "create");
            try {
                // the intent first: a crash after the create leaves a volume the janitor can prove uncommitted
                IntentScope.run(operations, Intent.start(Intent.VOLUME, "create", name, version), scope -> {
                    dockerVolumes.create(first, size, scope.intent(), caller.tenantName());
                    scope.undo(() -> engine.removeVolume(dockerName));
                    repo.create(new VolumeRecord(name, version, bytes, text, enforced, now, now, caller.tenantName(), repo.localNode()), first, scope.intent());
                });
            } catch (RuntimeException e) {
                throw EngineErrors.translate(e, ErrorCode.VOLUME_CREATE_FAILED, ErrorCode.VOLUME_IN_USE, "create volume '" + name + "'");
            }
            log.info("volume {} created for {}: Docker volume {}, size {}{}", name, caller.tenantName(), dockerName,
                    size == null ? "unlimited" : size, size == null ? "" : enforced ? " (enforced)" : " (declared, not enforced)");
            return new VolumeViews.Created(dockerName, name, version, text, bytes, enforced);
        } finally {
            janitor.schedule();
        }
    }

    /** Removes every version's Docker volume, then the record; refused while any container mounts one. */
    public void delete(String name, Caller caller) {
        try (var held = locks.lock(VolumeNames.lockKey(name))) {
            Stored<VolumeRecord> stored = repo.require(name, caller);
            List<VolumeVersion> versions = repo.history(name);
            List<String> ours = new ArrayList<>();
            Map<String, List<String>> mounted = new LinkedHashMap<>();
            for (VolumeVersion v : versions) {
                if (dockerVolumes.ours(name, v.dockerName()).isPresent()) {
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
                    throw EngineErrors.translate(e, ErrorCode.VOLUME_DELETE_FAILED, ErrorCode.VOLUME_IN_USE, "delete volume '" + name + "' (Docker volume " + dockerName + ")");
                }
            }
            repo.delete(stored);
            log.info("volume {} deleted: removed Docker volumes {} and forgot {} version record(s)", name, ours, versions.size());
        }
    }

    private static String describe(Map<String, List<String>> mounted) {
        List<String> parts = new ArrayList<>();
        mounted.forEach((volume, users) -> parts.add(volume + " by container(s) " + users));
        return String.join("; ", parts);
    }
}
