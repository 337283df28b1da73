package io.gpudocker.replicaset;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.TenantHolds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;

/**
 * A tenant's quota on committed images, counted over every node: each image name a tenant committed on a node is a
 * key in etcd ({@link TenantHolds}), taken in a guarded transaction before the Docker commit and removed again if the
 * commit fails. The keys follow the images in this node's engine: at start-up (a start-up check) the tenants' tagged
 * images here that have no key get one (images committed before the quota was counted in etcd) and keys whose image is
 * gone lose theirs; before each commit the same is done for the committing tenant, so an image removed outside the
 * service stops counting.
 */
public class ImageCommitQuota implements StartupCheck, Ordered {
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

    /** After the node holds its name and lease (order 10), before the start-up reconcile. */
    @Override
    public int getOrder() { return 20; }

    /** Brings this node's keys in line with the tenants' tagged images in its engine. */
    @Override
    public void verify() {
        if (!quotas.enabled()) {
            return;
        }
        Map<String, TreeSet<String>> byTenant = committedHere();
        quotas.holds().tenantsHere(Resource.IMAGES).forEach(t -> byTenant.putIfAbsent(t, new TreeSet<>()));
        int added = 0;
        for (var e : byTenant.entrySet()) {
            added += align(e.getKey(), e.getValue());
        }
        if (added > 0) {
            log.info("images quota: {} committed image(s) in this node's engine counted in etcd", added);
        }
    }

    /** The tagged images of this service in this node's engine, their names by tenant. */
    private Map<String, TreeSet<String>> committedHere() {
        Map<String, TreeSet<String>> byTenant = new TreeMap<>();
        for (ImageSummary i : engine.listImages()) {
            String tenant = i.labels().get(ManagedLabels.TENANT);
            if (!owner.equals(i.labels().get(ManagedLabels.OWNER)) || !QuotaLedger.counted(tenant)) {
                continue;
            }
            i.tags().stream().filter(t -> !t.equals("<none>:<none>")).forEach(t -> byTenant.computeIfAbsent(tenant, k -> new TreeSet<>()).add(t));
        }
        return byTenant;
    }

    /** Gives each of {@code names} a key, and takes the keys of this node's other names away; how many it added. */
    private int align(String tenant, TreeSet<String> names) {
        TenantHolds holds = quotas.holds();
        List<String> keyed = new ArrayList<>(holds.heldHere(Resource.IMAGES, tenant));
        int added = 0;
        for (String name : names) {
            if (!keyed.remove(name) && holds.take(Resource.IMAGES, tenant, null, name, false).isPresent()) {
                added++;
            }
        }
        for (String gone : keyed) {
            holds.held(Resource.IMAGES, tenant, gone).close();
            log.info("images quota: image {} of tenant {} is gone from this node's engine; no longer counted", gone, tenant);
        }
        return added;
    }

    /**
     * Runs {@code commit} of {@code image} for {@code tenant} if its quota leaves room (refused with 1100 otherwise); a
     * commit that replaces one of the tenant's own images by name adds none, as the image it supersedes is removed
     * once the name has moved (kept only while a container was made from it). Otherwise each commit to one name would
     * leave an untagged image on the disk, uncounted. The admin's calls are not bound, but what they commit for a
     * tenant counts.
     */
    public <T> T commit(String tenant, String image, Caller caller, Supplier<T> commit) {
        boolean counted = quotas.enabled() && QuotaLedger.counted(tenant);
        Long limit = caller.admin() || !counted ? null : quotas.limit(tenant, Resource.IMAGES);
        synchronized (tenantLocks.computeIfAbsent(String.valueOf(tenant), t -> new Object())) {
            Optional<String> superseded = engine.inspectImage(image).map(ImageSummary::id);
            Optional<TenantHolds.Hold> taken = Optional.empty();
            if (counted) {
                align(tenant, committedHere().getOrDefault(tenant, new TreeSet<>()));
                taken = quotas.holds().take(Resource.IMAGES, tenant, superseded.isPresent() ? null : limit, image, false);
            }
            T made;
            try {
                made = commit.get();
            } catch (RuntimeException e) {
                taken.ifPresent(TenantHolds.Hold::close);
                throw e;
            }
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
