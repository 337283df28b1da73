package io.gpudocker.access;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/** What the access endpoints take and answer. */
public final class AccessViews {
    private AccessViews() {}

    @Schema(name = "SshKeyCreate")
    public record SshKeyCreate(
            @Schema(description = "a name for the key, unique among the caller's", example = "laptop")
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "letters, digits, '.', '_' and '-', starting with a letter or digit") String name,
            @Schema(description = "the OpenSSH public key line (the content of id_ed25519.pub, id_ecdsa.pub or id_rsa.pub)",
                    example = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0... alice@laptop")
            @NotBlank @Size(max = 16384) String publicKey) {}

    @Schema(name = "SshKey")
    public record SshKey(@Schema(example = "laptop") String name,
                         @Schema(example = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU") String fingerprint,
                         @Schema(example = "ssh-ed25519") String type,
                         Instant createTime) {
        static SshKey of(SshKeyRecord r) {
            return new SshKey(r.name(), r.fingerprint(), r.publicKey().split(" ", 2)[0], r.createTime());
        }
    }

    @Schema(name = "ProxySession")
    public record ProxySession(@Schema(description = "the cookie's lifetime in seconds; the browser sends it on /proxy/ paths only", example = "3600") long expiresIn) {}
}
