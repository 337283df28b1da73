package io.gpudocker.replicaset.bind;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A mount: {@code src} starting with / is a host path, anything else a Docker volume name. Its rules sit where a
 * request carries one ({@code @BindSpec}), so that a missing bind answers 1040 like a malformed one; the schema
 * still marks src and dest required.
 */
public record Bind(
        @Schema(description = "a volume name, or an absolute host path", example = "data", requiredMode = Schema.RequiredMode.REQUIRED, minLength = 1) String src,
        @Schema(description = "the path inside the container", example = "/root/foo-tmp", requiredMode = Schema.RequiredMode.REQUIRED, minLength = 1) String dest) {

    @JsonIgnore
    public boolean isHostPath() { return src.startsWith("/"); }

    public String asDockerBind() { return src + ":" + dest; }
}
