package io.gpudocker.auth;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.quota.QuotaViews;
import io.gpudocker.quota.Quotas;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tenants' quotas: the admin lists every tenant with its use against its quota and sets each one's; a tenant reads
 * only its own (another's is refused exactly like a tenant that does not exist). See {@link SecurityConfig}.
 */
@RestController
@RequestMapping("/api/v1/tenants")
@Tag(name = "tenants", description = "Tenants' quotas and use (setting them: admin only)")
class TenantController {
    private final Tokens tokens;
    private final Quotas quotas;

    TenantController(Tokens tokens, Quotas quotas) {
        this.tokens = tokens;
        this.quotas = quotas;
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Every tenant with its use against its quota (admin only)")
    ApiResponse<List<QuotaViews.Tenant>> list() {
        return ApiResponse.ok(tokens.tenants().stream().map(t -> new QuotaViews.Tenant(t.name(), t.createTime(), quotas.view(t.name()))).toList());
    }

    @GetMapping("/{name}/quota")
    @RunsOn(Where.HERE)
    @Operation(summary = "A tenant's quota and what it holds against it (a tenant: its own only)")
    ApiResponse<QuotaViews.View> get(@Parameter(description = "tenant name", example = "alice") @PathVariable String name,
                                     @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        if (!caller.maySee(name)) {
            // the same answer as for a name no tenant has: a tenant learns nothing of the others
            throw Tokens.noTenant(name);
        }
        tokens.requireTenant(name);
        return ApiResponse.ok(quotas.view(name));
    }

    @PutMapping("/{name}/quota")
    @RunsOn(Where.HERE)
    @Operation(summary = "Give a tenant its own quota (admin only); a limit left out is none. Lowering one below the use refuses new takes "
            + "and leaves what the tenant holds running")
    ApiResponse<QuotaViews.View> set(@Parameter(description = "tenant name", example = "alice") @PathVariable String name,
                                     @Valid @RequestBody QuotaViews.Update body) {
        tokens.requireTenant(name);
        return ApiResponse.ok(quotas.set(name, body));
    }

    @DeleteMapping("/{name}/quota")
    @RunsOn(Where.HERE)
    @Operation(summary = "The tenant's quota is the defaults (gda.quota.*) again (admin only)")
    ApiResponse<QuotaViews.View> reset(@Parameter(description = "tenant name", example = "alice") @PathVariable String name) {
        tokens.requireTenant(name);
        return ApiResponse.ok(quotas.reset(name));
    }
}
