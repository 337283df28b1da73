package io.gpudocker.access;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's SSH public keys: what the SSH gateway lets in (as this tenant, to its instances). */
@RestController
@RequestMapping("/api/v1/keys")
@Tag(name = "access", description = "SSH keys for the SSH gateway, and the port proxy's browser session")
class SshKeyController {
    private final SshKeys keys;

    SshKeyController(SshKeys keys) {
        this.keys = keys;
    }

    @PostMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Register an SSH public key: from now on it logs in to the caller's instances through the SSH gateway")
    ApiResponse<AccessViews.SshKey> register(@Valid @RequestBody AccessViews.SshKeyCreate body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(keys.register(body, caller));
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "The caller's SSH keys: name, fingerprint, type, when registered")
    ApiResponse<List<AccessViews.SshKey>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(keys.list(caller));
    }

    @DeleteMapping("/{name}")
    @RunsOn(Where.HERE)
    @Operation(summary = "Remove an SSH key: logins with it are refused from now on, on every node")
    ApiResponse<Void> remove(@Parameter(description = "key name", example = "laptop") @PathVariable String name,
                             @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        keys.remove(name, caller);
        return ApiResponse.ok(null);
    }
}
