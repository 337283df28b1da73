package io.gpudocker.replicaset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;

/** A mount: {@code src} starting with / is a host path, anything else a Docker volume name. */
public record Bind(
        @Schema(description = "a volume name, or an absolute host path", example = "data") @NotBlank String src,
        @Schema(description = "the path inside the container", example = "/root/foo-tmp") @NotBlank String dest) {

    @JsonIgnore
    public boolean isHostPath() { return src.startsWith("/"); }

    public String asDockerBind() { return src + ":" + dest; }
}
