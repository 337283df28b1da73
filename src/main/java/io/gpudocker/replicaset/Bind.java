package io.gpudocker.replicaset;

import jakarta.validation.constraints.NotBlank;

/** A mount: {@code src} starting with / is a host path, anything else a Docker volume name. */
public record Bind(@NotBlank String src, @NotBlank String dest) {

    public boolean isHostPath() { return src.startsWith("/"); }

    public String asDockerBind() { return src + ":" + dest; }
}
