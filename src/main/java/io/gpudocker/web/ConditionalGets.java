package io.gpudocker.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The views a client polls (lists, an instance or volume, histories, resources, nodes) carry an {@code ETag}; a GET
 * whose {@code If-None-Match} names the current one is answered 304 with no body. The tag is a digest of the answer
 * itself, not an etcd revision: these views also show Docker's live status and the progress of an update in flight,
 * which move no revision, and a revision moves with every heartbeat of every node. It is taken where the call arrived,
 * after routing, so an answer relayed from another node or gathered from all of them is tagged the same way.
 */
final class ConditionalGets extends OncePerRequestFilter {
    /** Only whole JSON views: never a log that streams, a download or a terminal. */
    private static final Pattern TAGGED = Pattern.compile(
            "/api/v1/(?:(?:replicaSet|volumes)(?:/[^/]+(?:/history)?)?|resources/[^/]+|nodes)/?");

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String method = request.getMethod();
        return !"GET".equals(method) || !TAGGED.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
        chain.doFilter(request, held);
        if (held.getStatus() != HttpServletResponse.SC_OK || response.isCommitted() || held.getHeader("ETag") != null) {
            // a failure, or a view that tags itself (the instance list, from its records' stamp)
            held.copyBodyToResponse();
            return;
        }
        String tag = "\"" + digest(held.getContentAsByteArray()) + "\"";
        response.setHeader("ETag", tag);
        if (matches(request.getHeader("If-None-Match"), tag)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            response.setContentLength(0);
            return; // the held body is dropped
        }
        held.copyBodyToResponse();
    }

    /** Whether any tag of the header (weak or strong alike, or *) is {@code tag}. */
    static boolean matches(String ifNoneMatch, String tag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String given : ifNoneMatch.split(",")) {
            String t = given.trim();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(tag)) {
                return true;
            }
        }
        return false;
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
