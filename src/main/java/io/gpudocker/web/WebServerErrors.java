package io.gpudocker.web;

import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/** Answers the web server and the framework give before any controller runs, in the response envelope too. */
@Configuration(proxyBeanMethods = false)
public class WebServerErrors {
    /** Runs after Spring Boot's own customizer, so its HTML error valve is the one replaced. */
    @Bean
    EnvelopeErrorReports envelopeErrorReports() {
        return new EnvelopeErrorReports();
    }

    static final class EnvelopeErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                StandardHost host = (StandardHost) context.getParent();
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(EnvelopeErrorReportValve.class.getName());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /**
     * A body whose Content-Type names no concrete type ({@code *}{@code /*}) makes Spring's request reader fail
     * with an IllegalArgumentException, which would read as a bug; it is refused here as what it is.
     */
    @Bean
    OncePerRequestFilter wildcardContentTypeRefusal() {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (wildcard(request.getContentType())) {
                    EnvelopeWriter.error(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, ErrorCode.INVALID_PARAMS,
                            "the body must be JSON (Content-Type: application/json), not " + request.getContentType());
                    return;
                }
                chain.doFilter(request, response);
            }
        };
    }

    private static boolean wildcard(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.parseMediaType(contentType).isWildcardType();
        } catch (InvalidMediaTypeException unparsable) {
            return false; // Spring refuses it with its own message (HttpMediaTypeNotSupportedException)
        }
    }
}
