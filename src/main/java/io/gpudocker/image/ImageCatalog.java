package io.gpudocker.image;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The images an instance can be created from. A committed image carries the labels of the container it was
 * saved from, tenant included: it may hold that tenant's files, so only that tenant (and the admin) sees it, unless
 * the admin shared it.
 * Untagged images (build leftovers, superseded tags) are not offered.
 */
public class ImageCatalog {
    private final ContainerEngine engine;
    private final ImageAccess access;

    public ImageCatalog(ContainerEngine engine, ImageAccess access) {
        this.engine = engine;
        this.access = access;
    }

    public List<ImageViews.ImageSummary> list(Caller caller) {
        Set<String> shared = caller.admin() ? Set.of() : access.sharedIds();
        return engine.listImages().stream()
                .filter(i -> caller.admin() || ImageOwnership.mayUse(i.labels(), shared.contains(i.id()), caller.tenantName()))
                .flatMap(i -> i.tags().stream().filter(t -> !t.equals("<none>:<none>"))
                        .map(tag -> new ImageViews.ImageSummary(tag, i.id(), i.created(), i.sizeBytes(), i.labels().get(ManagedLabels.REPLICASET))))
                .sorted(Comparator.comparing(ImageViews.ImageSummary::name))
                .toList();
    }
}
