package io.gpudocker.replicaset;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's quota on committed images. Images live in each node's Docker engine and nowhere else, so they are
 * counted there: the tagged images of this service that carry the tenant's label. Commits of one tenant on this node
 * are checked and made one at a time, so two cannot pass on the same count.
 */
public class ImageCommitQuota {
    private static final Logger log = LoggerFactory.getLogger(ImageCommitQuota.class);
    private final ContainerEngine engine;
    private final String owner;
    private final Quotas quotas;
    private final ConcurrentHashMap<String, Object> tenantLocks = new ConcurrentHashMap<>();

    public ImageCommitQuota(ContainerEngine engine, String owner, Quotas quotas) {
        this.engine = engine;
        this.owner = owner;
        this.quotas = quotas;
    }

    /** The tenant's committed images in this node's engine. */
    public long committed(String tenant) {
        return engine.listImages().stream()
                .filter(i -> owner.equals(i.labels().get(ManagedLabels.OWNER)) && tenant.equals(i.labels().get(ManagedLabels.TENANT)))
                .filter(i -> i.tags().stream().anyMatch(t -> !t.equals("<none>:<none>")))
                .count();
    }

    /**
     * Runs {@code commit} of {@code image} for {@code tenant} if its quota leaves room (refused with 1100 otherwise); a
     * commit that replaces one of the tenant's own images by name adds none, as the image it supersedes is removed
     * once the name has moved (kept only while a container was made from it). Otherwise each commit to one name would
     * leave an untagged image on the disk, uncounted. The admin's calls are not bound.
     */
    public <T> T commit(String tenant, String image, Caller caller, Supplier<T> commit) {
        Long limit = caller.admin() || !QuotaLedger.counted(tenant) ? null : quotas.limit(tenant, Resource.IMAGES);
        synchronized (tenantLocks.computeIfAbsent(String.valueOf(tenant), t -> new Object())) {
            Optional<String> superseded = engine.inspectImage(image).map(ImageSummary::id);
            if (limit != null && superseded.isEmpty()) {
                long used = committed(tenant);
                if (used + 1 > limit) {
                    throw QuotaLedger.exceeded(tenant, Resource.IMAGES, limit, used, "1");
                }
            }
            T made = commit.get();
            superseded.ifPresent(id -> removeSuperseded(id, image));
            return made;
        }
    }

    private void removeSuperseded(String id, String image) {
        try {
            if (engine.removeUnusedImage(id)) {
                log.info("image {} superseded by a commit to {}: removed", id, image);
            }
        } catch (RuntimeException e) {
            // the commit itself succeeded; the superseded image is still the tenant's and shows in the engine's list
            log.warn("image {} superseded by a commit to {} not removed: {}", id, image, e.getMessage());
        }
    }
}
