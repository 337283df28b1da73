package io.gpudocker.image;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which image a reference names and whether a tenant may run it. Every form of reference (name, id, short id) is
 * resolved by Docker itself, so the check sees the image Docker would start, and another tenant's commit answers
 * exactly as a missing image does: its existence cannot be probed.
 */
public class ImageAccess {
    private static final Logger log = LoggerFactory.getLogger(ImageAccess.class);

    private final ContainerEngine engine;
    private final KeyValueStore store;
    private final Keys keys;

    public ImageAccess(ContainerEngine engine, KeyValueStore store, Keys keys) {
        this.engine = engine;
        this.store = store;
        this.keys = keys;
    }

    /** Whether the reference names an image on this host that {@code tenant} may run (null or {@code admin}: the admin's). */
    public boolean usableBy(String reference, String tenant) {
        return engine.inspectImage(reference)
                .filter(i -> ImageOwnership.mayUse(i.labels(), false, tenant) || isShared(i.id()))
                .isPresent();
    }

    /** Lets every tenant run the image the reference names (on purpose: it may hold its committer's files). */
    public ImageViews.SharedImage share(String reference, Caller caller) {
        ImageSummary image = requireAsAdmin(reference, caller);
        store.commit(new Txn().put(keys.sharedImage(image.id()), reference));
        log.info("image {} ({}) shared with every tenant", reference, image.id());
        return new ImageViews.SharedImage(reference, image.id(), true);
    }

    /** Takes a share back: instances already running keep their containers; new ones from it are refused again. */
    public ImageViews.SharedImage unshare(String reference, Caller caller) {
        ImageSummary image = requireAsAdmin(reference, caller);
        store.commit(new Txn().delete(keys.sharedImage(image.id())));
        log.info("image {} ({}) no longer shared", reference, image.id());
        return new ImageViews.SharedImage(reference, image.id(), false);
    }

    /** The ids of the images the admin shared. */
    public Set<String> sharedIds() {
        return store.list(keys.sharedImages()).stream().map(KeyValue::key)
                .map(k -> k.substring(keys.sharedImages().length())).collect(Collectors.toSet());
    }

    private boolean isShared(String imageId) {
        return store.get(keys.sharedImage(imageId)).isPresent();
    }

    private ImageSummary requireAsAdmin(String reference, Caller caller) {
        if (!caller.admin()) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "only the admin shares images");
        }
        Optional<ImageSummary> image = engine.inspectImage(reference);
        return image.orElseThrow(() -> ApiException.of(ErrorCode.IMAGE_NOT_FOUND, "image '%s' is not present on this host", reference));
    }
}
