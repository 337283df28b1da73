package io.gpudocker.volume;

import io.gpudocker.api.validation.VolumeName;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Request bodies, field for field those of the original project so its clients keep working. The order of
 * the fields matters: when several are invalid, the first one's error code is the answer.
 */
public final class VolumeRequests {
    private VolumeRequests() {}

    @Schema(name = "VolumeCreateRequest", description = "Create version 1 of a volume; size is optional")
    public record Create(
            @VolumeName @Schema(example = "data") String name,
            @VolumeSizeText @Schema(example = "20GB") String size,
            @Schema(description = "the node whose Docker engine keeps it (GET /api/v1/nodes); absent: the node that receives the call", example = "gpu1") String node) {

        public Create(String name, String size) {
            this(name, size, null);
        }
    }

    @Schema(name = "VolumeResizeRequest", description = "Give the volume a new size: a new version with the data copied")
    public record Resize(@VolumeSizeText(required = true) @Schema(example = "50GB") String size) {}
}
