package io.gpudocker.auth;

import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.node.CachedBodyRequest;
import io.gpudocker.node.InterNodeCredential;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A call another node forwarded: its signed headers say who the caller is (checked against the cluster secret, with
 * the body it carries, naming this node, fresh and never seen before); it then runs here as that caller and is never forwarded again. A call with a bad, stale,
 * misdirected or replayed signature is refused (401); one without the headers goes on to the bearer token check.
 */
final class ForwardedCaller extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(ForwardedCaller.class);
    private final InterNodeCredential credential;
    private final RequestAttributeSecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();

    ForwardedCaller(InterNodeCredential credential) {
        this.credential = credential;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // the port proxy and the SSH process hop check a carried request themselves: its body streams and is not signed (NodeAccessHop)
        return request.getHeader(InterNodeCredential.SIGNATURE) == null || request.getRequestURI().startsWith("/proxy/")
                || request.getRequestURI().startsWith("/access-hop/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        CachedBodyRequest cached = CachedBodyRequest.of(request);
        String query = request.getQueryString();
        String uri = request.getRequestURI() + (query == null ? "" : "?" + query);
        String sender = request.getHeader(InterNodeCredential.NODE);
        InterNodeCredential.Verdict verdict = credential.verify(request.getMethod(), uri, request::getHeader, cached.body());
        if (!verdict.accepted()) {
            EnvelopeWriter.error(response, ErrorCode.UNAUTHENTICATED, verdict.refusal());
            log.warn("rejected {} {} forwarded by '{}': {}", request.getMethod(), request.getRequestURI(), sender, verdict.refusal());
            return;
        }
        Authentication auth = BearerAuthentication.authenticated(verdict.caller());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, cached, response);
        cached.setAttribute(InterNodeCredential.FORWARDED_BY, sender);
        chain.doFilter(cached, response);
    }
}
