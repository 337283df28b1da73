package io.gpudocker.auth;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/** 401 and 403 in the API's own envelope, so clients parse a refused call like any other. */
final class EnvelopeResponses {
    private static final Logger log = LoggerFactory.getLogger(EnvelopeResponses.class);

    private EnvelopeResponses() {}

    static AuthenticationEntryPoint unauthenticated() {
        return (request, response, e) -> {
            String header = request.getHeader("Authorization");
            String msg = header == null || header.isBlank()
                    ? "this call needs a bearer token: send 'Authorization: Bearer <token>' (ask the operator for one)"
                    : "the bearer token is unknown or revoked";
            response.setHeader("WWW-Authenticate", "Bearer");
            EnvelopeWriter.error(response, ErrorCode.UNAUTHENTICATED, msg);
            log.info("rejected {} {}: {}", request.getMethod(), request.getRequestURI(), msg);
        };
    }

    /**
     * A token that could not be checked because etcd did not answer is a 503 with etcd's code, like every other
     * call that needs etcd then; an unknown or revoked one is a 401.
     */
    static AuthenticationFailureHandler failedAuthentication() {
        AuthenticationEntryPoint unauthenticated = unauthenticated();
        return (request, response, e) -> {
            if (e instanceof AuthenticationServiceException && e.getCause() instanceof ApiException api) {
                EnvelopeWriter.error(response, api.code(), api.getMessage());
                log.warn("could not check the token of {} {}: {}", request.getMethod(), request.getRequestURI(), api.getMessage());
                return;
            }
            unauthenticated.commence(request, response, e);
        };
    }

    /**
     * A request the firewall refuses before any handler sees it (a path with {@code ..}, an encoded {@code /} or
     * NUL, a line break): a 400 in the envelope like every other bad input, not the framework's own error page.
     */
    static RequestRejectedHandler rejected() {
        return (request, response, e) -> {
            EnvelopeWriter.error(response, ErrorCode.INVALID_PARAMS, "the request was refused: " + e.getMessage());
            log.info("rejected {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        };
    }

    static AccessDeniedHandler forbidden() {
        return (request, response, e) -> {
            String msg = "only the admin token may call " + request.getMethod() + " " + request.getRequestURI();
            EnvelopeWriter.error(response, ErrorCode.FORBIDDEN, msg);
            log.info("rejected: {}", msg);
        };
    }
}
