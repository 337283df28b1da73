package io.gpudocker.volume;

import io.swagger.v3.oas.annotations.media.Schema;

/** Request bodies, field for field those of the original project so its clients keep working. */
public final class VolumeRequests {
    private VolumeRequests() {}

    @Schema(description = "Create version 1 of a volume; size is optional")
    public record Create(@Schema(example = "data") String name, @Schema(example = "20GB") String size) {}

    @Schema(description = "Give the volume a new size: a new version with the data copied")
    public record Resize(@Schema(example = "50GB") String size) {}
}
