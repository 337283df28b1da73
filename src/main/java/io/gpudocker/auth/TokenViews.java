package io.gpudocker.auth;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/** Token request and response bodies. */
public final class TokenViews {
    private TokenViews() {}

    @Schema(name = "TokenCreateRequest", description = "Issue a token for a new tenant")
    public record Create(
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9_.]*", message = "may only contain letters, digits, '_' and '.'")
            @Schema(example = "alice") String name) {}

    @Schema(name = "TokenIssued")
    public record Issued(
            @Schema(example = "alice") String name,
            @Schema(example = "user") String role,
            @Schema(example = "2025-01-01T08:00:00Z") Instant createTime,
            @Schema(description = "the bearer token; shown only in this answer", example = "gda_Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg") String token) {}

    @Schema(name = "TokenSummary")
    public record Summary(
            @Schema(example = "alice") String name,
            @Schema(example = "user") String role,
            @Schema(example = "2025-01-01T08:00:00Z") Instant createTime) {}
}
