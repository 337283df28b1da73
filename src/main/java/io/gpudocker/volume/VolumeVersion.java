package io.gpudocker.volume;

import io.gpudocker.store.Versioned;
import java.time.Instant;

/** One version of a volume, kept as its own etcd key until the volume is deleted. */
public record VolumeVersion(
        String name,
        long version,
        String dockerName,
        Long sizeBytes,
        String size,
        boolean sizeEnforced,
        Instant createTime,
        String cause) implements Versioned {}
