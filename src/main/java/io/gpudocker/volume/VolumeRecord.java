package io.gpudocker.volume;

import io.gpudocker.api.Owned;
import java.time.Instant;

/**
 * The current state of a volume: which version is current and the size it was given. {@code sizeBytes} and
 * {@code size} are null for a volume created without a size; {@code sizeEnforced} says whether the kernel
 * holds the volume to that size or it is only a declared limit. {@code tenant} is who created it (null: the admin's);
 * {@code node} the node whose Docker engine holds it (null only before nodes, until a node claims it).
 */
public record VolumeRecord(
        String name,
        long version,
        Long sizeBytes,
        String size,
        boolean sizeEnforced,
        Instant createTime,
        Instant updateTime,
        String tenant,
        String node) implements Owned {

    public String dockerName() { return VolumeNames.dockerName(name, version); }

    public VolumeRecord resized(long newVersion, VolumeSize newSize, boolean enforced) {
        return new VolumeRecord(name, newVersion, newSize.bytes(), newSize.text(), enforced, createTime, Instant.now(), tenant, node);
    }
}
