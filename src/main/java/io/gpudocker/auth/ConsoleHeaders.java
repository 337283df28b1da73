package io.gpudocker.auth;

import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * The console's Content-Security-Policy: its pages run only the service's own scripts (no inline script, no
 * eval, nothing from another origin), talk only to this origin (the API and the terminal's WebSocket), and
 * cannot be framed. Styles may be inline: the terminal (xterm.js) writes its own style element.
 * Only on the console's pages: Swagger UI, also served here, brings its own inline code.
 */
final class ConsoleHeaders {
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private ConsoleHeaders() {}

    static HeaderWriter contentSecurityPolicy() {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return new DelegatingRequestMatcherHeaderWriter(
                new OrRequestMatcher(paths.matcher("/"), paths.matcher("/index.html"), paths.matcher("/console/**")),
                new StaticHeadersWriter("Content-Security-Policy", POLICY));
    }
}
