package io.gpudocker.image;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The images an instance can be created from. A committed image carries the labels of the container it was
 * saved from, tenant included: it may hold that tenant's files, so only that tenant (and the admin) sees it.
 * Untagged images (build leftovers, superseded tags) are not offered.
 */
public class ImageCatalog {
    private final ContainerEngine engine;

    public ImageCatalog(ContainerEngine engine) {
        this.engine = engine;
    }

    public List<ImageViews.ImageSummary> list(Caller caller) {
        return engine.listImages().stream()
                .filter(i -> visibleTo(i, caller))
                .flatMap(i -> i.tags().stream().filter(t -> !t.equals("<none>:<none>"))
                        .map(tag -> new ImageViews.ImageSummary(tag, i.id(), i.created(), i.sizeBytes(), i.labels().get(ManagedLabels.REPLICASET))))
                .sorted(Comparator.comparing(ImageViews.ImageSummary::name))
                .toList();
    }

    private static boolean visibleTo(ImageSummary image, Caller caller) {
        String tenant = image.labels().get(ManagedLabels.TENANT);
        return caller.admin() || tenant == null || Objects.equals(tenant, caller.tenantName());
    }
}
