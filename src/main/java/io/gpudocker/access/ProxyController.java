package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.ReplicaSetName;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The port proxy {@code /proxy/{name}/{port}/...}: a web app in an instance (JupyterLab, TensorBoard) behind the
 * service's login, with no host port. A client authenticates with its bearer token; a browser tab with the cookie the
 * console gets for it from {@code POST /api/v1/proxy/{name}/session}.
 */
@RestController
@Tag(name = "access", description = "SSH keys for the SSH gateway, and the port proxy's browser session")
class ProxyController {
    private final PortProxy proxy;
    private final ProxyCookies cookies;
    private final InstanceAccess access;

    ProxyController(PortProxy proxy, ProxyCookies cookies, InstanceAccess access) {
        this.proxy = proxy;
        this.cookies = cookies;
        this.access = access;
    }

    @PostMapping("/api/v1/proxy/{name}/session")
    @RunsOn(Where.HERE)
    @Operation(summary = "A cookie that lets this browser through /proxy/{name}/ for a while (the console's access links): "
            + "browsers cannot send a bearer token on links or on a web app's own requests")
    ApiResponse<AccessViews.ProxySession> session(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
                                                  @Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                                  HttpServletRequest request, HttpServletResponse response) {
        if (!access.visible(name, caller)) {
            // as every call naming an instance that is not the caller's: not found
            access.running(name, caller);
        }
        ResponseCookie cookie = ResponseCookie.from(ProxyCookies.NAME, cookies.issue(name, caller)).path("/proxy/" + name + "/").httpOnly(true)
                .secure(request.isSecure()).sameSite("Strict").maxAge(cookies.lifetime()).build();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
        return ApiResponse.ok(new AccessViews.ProxySession(cookies.lifetime().toSeconds()));
    }

    @Hidden
    @RequestMapping({"/proxy/{name}/{port}", "/proxy/{name}/{port}/**"})
    void forward(@PathVariable String name, @PathVariable String port, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<Caller> carried = proxy.carried(request);
        Caller caller = carried.or(ProxyController::bearer).or(() -> cookie(request, name)).orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHENTICATED,
                "the proxy needs 'Authorization: Bearer <token>', or the cookie the console gets from POST /api/v1/proxy/%s/session", name));
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw ApiException.of(ErrorCode.PROXY_PORT_INVALID, "'%s' is not a port", port);
        }
        String prefix = "/proxy/" + name + "/" + port;
        String uri = request.getRequestURI();
        String path = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "/";
        proxy.forward(name, number, path, caller, carried.isPresent(), request, response);
    }

    private static Optional<Caller> bearer() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof Caller caller ? Optional.of(caller) : Optional.empty();
    }

    private Optional<Caller> cookie(HttpServletRequest request, String name) {
        Cookie[] all = request.getCookies();
        if (all == null) {
            return Optional.empty();
        }
        for (Cookie c : all) {
            if (ProxyCookies.NAME.equals(c.getName())) {
                Optional<Caller> caller = cookies.caller(c.getValue(), name);
                if (caller.isPresent()) {
                    return caller;
                }
            }
        }
        return Optional.empty();
    }
}
