package io.gpudocker.image;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import java.time.Instant;

/** Request and response bodies. */
public final class ImageViews {
    private ImageViews() {}

    @Schema(name = "ImageSummary")
    public record ImageSummary(
            @Schema(description = "a name the image is tagged with, as imageName takes it", example = "gda-test:latest") String name,
            @Schema(example = "sha256:5b0d5e3b9f2f4c8e7d1a6b3c2e9f8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f") String id,
            Instant created,
            @Schema(example = "1234567") long sizeBytes,
            @Schema(description = "the replicaset it was committed from; null for other images", example = "foo") String committedFrom) {}

    @Schema(name = "ImageShareRequest")
    public record ShareRequest(
            @NotBlank @Schema(description = "the image: name:tag, or id", example = "alice/snap:v1") String image) {}

    @Schema(name = "SharedImage")
    public record SharedImage(
            @Schema(description = "the image as the request named it", example = "alice/snap:v1") String image,
            @Schema(example = "sha256:5b0d5e3b9f2f4c8e7d1a6b3c2e9f8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f") String id,
            @Schema(description = "whether every tenant may now create from it") boolean shared) {}
}
