package io.gpudocker.auth;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.GatewayInfo;
import org.springframework.beans.factory.ObjectProvider;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.quota.QuotaViews;
import io.gpudocker.quota.Quotas;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Who a token belongs to: what a client (the console) shows and which screens it offers. */
@RestController
@Tag(name = "tokens", description = "Tenant tokens (admin only): issue, list, revoke")
class CallerController {
    private final Quotas quotas;
    private final ObjectProvider<GatewayInfo> gateway;

    CallerController(Quotas quotas, ObjectProvider<GatewayInfo> gateway) {
        this.quotas = quotas;
        this.gateway = gateway;
    }

    @Schema(name = "WhoAmI")
    record WhoAmI(@Schema(example = "alice") String name, @Schema(description = "whether this token is the admin's", example = "false") boolean admin,
                  @Schema(description = "a tenant's quota and what it holds against it; null for the admin, whom no quota binds") QuotaViews.View quota,
                  @Schema(description = "the SSH gateway (docs/access.md); null where it is off") Ssh ssh) {}

    @Schema(name = "SshGateway")
    record Ssh(@Schema(description = "the gateway's port", example = "2222") int port,
               @Schema(description = "its host key's fingerprint, as ssh shows it at the first login", example = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU") String hostKeyFingerprint) {}

    @GetMapping("/api/v1/whoami")
    @RunsOn(Where.HERE)
    @Operation(summary = "The tenant (or the admin) the bearer token belongs to")
    ApiResponse<WhoAmI> whoami(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        GatewayInfo ssh = gateway.getIfAvailable();
        return ApiResponse.ok(new WhoAmI(caller.name(), caller.admin(), caller.admin() ? null : quotas.view(caller.tenantName()),
                ssh == null || ssh.sshPort() == 0 ? null : new Ssh(ssh.sshPort(), ssh.hostKeyFingerprint())));
    }
}
