package io.gpudocker.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The original parsed every body as JSON whatever its content type, and its clients rely on it: some send none,
 * {@code curl -d '{...}'} sends {@code application/x-www-form-urlencoded}. A body sent to the API with either is
 * read as the JSON it is; any other declared type is still refused as not JSON.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class JsonWithoutContentType extends OncePerRequestFilter {
    private static final Set<String> BODY_METHODS = Set.of("POST", "PATCH", "PUT");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(needsJson(request) ? new DeclaredJson(request) : request, response);
    }

    private static boolean needsJson(HttpServletRequest request) {
        if (!BODY_METHODS.contains(request.getMethod()) || !request.getRequestURI().startsWith("/api/")) {
            return false;
        }
        String type = request.getContentType();
        return type == null || type.isBlank() || type.toLowerCase().startsWith(MediaType.APPLICATION_FORM_URLENCODED_VALUE);
    }

    /** The same request declaring JSON; its parameters are the query string's alone, so nothing reads the body as a form. */
    private static final class DeclaredJson extends HttpServletRequestWrapper {
        private final Map<String, String[]> query;

        DeclaredJson(HttpServletRequest request) {
            super(request);
            this.query = Collections.unmodifiableMap(parseQuery(request.getQueryString()));
        }

        @Override
        public String getContentType() { return MediaType.APPLICATION_JSON_VALUE; }

        @Override
        public String getHeader(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? MediaType.APPLICATION_JSON_VALUE : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? Collections.enumeration(List.of(MediaType.APPLICATION_JSON_VALUE)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String n = e.nextElement();
                if (!HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(n)) {
                    names.add(n);
                }
            }
            names.add(HttpHeaders.CONTENT_TYPE);
            return Collections.enumeration(names);
        }

        @Override
        public String getParameter(String name) {
            String[] values = query.get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() { return query; }

        @Override
        public Enumeration<String> getParameterNames() { return Collections.enumeration(query.keySet()); }

        @Override
        public String[] getParameterValues(String name) { return query.get(name); }

        private static Map<String, String[]> parseQuery(String queryString) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            if (queryString != null) {
                for (String pair : queryString.split("&")) {
                    if (!pair.isEmpty()) {
                        int eq = pair.indexOf('=');
                        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                        values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                    }
                }
            }
            Map<String, String[]> result = new LinkedHashMap<>();
            values.forEach((k, v) -> result.put(k, v.toArray(String[]::new)));
            return result;
        }
    }
}
