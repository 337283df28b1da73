package io.gpudocker.image;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** Response bodies. */
public final class ImageViews {
    private ImageViews() {}

    @Schema(name = "ImageSummary")
    public record ImageSummary(
            @Schema(description = "a name the image is tagged with, as imageName takes it", example = "gda-test:latest") String name,
            @Schema(example = "sha256:5b0d5e3b9f2f4c8e7d1a6b3c2e9f8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f") String id,
            Instant created,
            @Schema(example = "1234567") long sizeBytes,
            @Schema(description = "the replicaset it was committed from; null for other images", example = "foo") String committedFrom) {}
}
