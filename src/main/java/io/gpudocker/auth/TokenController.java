package io.gpudocker.auth;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Tenant tokens; the admin's alone (see {@link SecurityConfig}). */
@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "tokens", description = "Tenant tokens (admin only): issue, list, revoke")
class TokenController {
    private final Tokens tokens;

    TokenController(Tokens tokens) {
        this.tokens = tokens;
    }

    @PostMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Issue a token for a new tenant; the token is in this answer only")
    ApiResponse<TokenViews.Issued> issue(@Valid @RequestBody TokenViews.Create body) {
        return ApiResponse.ok(tokens.issue(body));
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Every token's name, role and creation time (never the tokens)")
    ApiResponse<List<TokenViews.Summary>> list() {
        return ApiResponse.ok(tokens.list());
    }

    @DeleteMapping("/{name}")
    @RunsOn(Where.HERE)
    @Operation(summary = "Revoke a tenant's token: it authenticates nothing from now on")
    ApiResponse<Void> revoke(@PathVariable String name) {
        tokens.revoke(name);
        return ApiResponse.ok(null);
    }
}
