package io.gpudocker.volume;

import io.gpudocker.api.validation.Rejection;
import io.gpudocker.api.validation.VolumeNameValidator;

/** Volume names as the original checks them, and the versioned Docker names made from them. */
public final class VolumeNames {
    private VolumeNames() {}

    /** For callers that still check by hand; the rule is {@link VolumeNameValidator}, behind {@code @VolumeName}. */

    /** Version N of volume {@code data} is the Docker volume {@code data-N}. */
    public static String dockerName(String name, long version) { return name + "-" + version; }

    /** Volumes lock in their own namespace, so a volume and a replicaset of the same name do not wait for each other. */
    static String lockKey(String name) { return "volume:" + name; }
}
