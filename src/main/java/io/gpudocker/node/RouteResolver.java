package io.gpudocker.node;

import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Where a call runs, read off the handler Spring MVC picks for it ({@link RunsOn}). The request is matched by the very
 * mapping that dispatches it, so routing and handling agree on which endpoint a path is and on the (decoded) name in
 * it. The match is made on a view of the request with attributes of its own: what the mapping records while matching
 * must not linger for the dispatch that follows, which records its own.
 */
final class RouteResolver {
    /** Looked up once: asking the bean factory again on every call cost more than the match. */
    private final SingletonSupplier<HandlerMapping> mapping;

    /** @param mapping the application's handler mapping, asked for on the first call (it is complete only once the context is) */
    RouteResolver(Supplier<HandlerMapping> mapping) {
        this.mapping = SingletonSupplier.of(mapping);
    }

    /**
     * Where a call runs and on what: the object's decoded name for the routes to an owner, the view's name (the last
     * segment of its path) for the gathered ones, else null.
     */
    record Route(Where where, String name) {
        static final Route HERE = new Route(Where.HERE, null);

        /** What an owner route is on, as messages name it. */
        String kind() {
            return where == Where.VOLUME_OWNER ? "volume" : "replicaset";
        }
    }

    Route resolve(HttpServletRequest request) {
        Probe probe = new Probe(request);
        HandlerExecutionChain chain;
        try {
            ServletRequestPathUtils.parseAndCache(probe);
            chain = mapping.obtain().getHandler(probe);
        } catch (Exception refused) {
            // no handler takes it as sent (method, media type, a path that does not parse): every node refuses it alike
            return Route.HERE;
        }
        if (chain == null || !(chain.getHandler() instanceof HandlerMethod handler)) {
            return Route.HERE;
        }
        RunsOn runsOn = handler.getMethodAnnotation(RunsOn.class);
        if (runsOn == null) {
            return Route.HERE;
        }
        return switch (runsOn.value()) {
            case REPLICASET_OWNER, VOLUME_OWNER -> new Route(runsOn.value(), variable(probe, handler, runsOn.pathVariable()));
            // a HEAD (mapped to the GET) has no body worth fetching from other nodes
            case EVERY_NODE -> isGet(request) ? new Route(Where.EVERY_NODE, lastSegment(probe)) : Route.HERE;
            // a share runs where the image is, as the list does
            case IMAGES_NODE_IN_QUERY -> "HEAD".equals(request.getMethod()) ? Route.HERE : new Route(Where.IMAGES_NODE_IN_QUERY, null);
            default -> new Route(runsOn.value(), null);
        };
    }

    private static boolean isGet(HttpServletRequest request) {
        return "GET".equals(request.getMethod());
    }

    @SuppressWarnings("unchecked")
    private static String variable(Probe probe, HandlerMethod handler, String name) {
        Object variables = probe.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String value = variables instanceof Map<?, ?> map ? ((Map<String, String>) map).get(name) : null;
        if (value == null) {
            throw new IllegalStateException(handler + " runs on the owner named by path variable '" + name + "', which its mapping lacks");
        }
        return value;
    }

    private static String lastSegment(Probe probe) {
        String pattern = String.valueOf(probe.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE));
        return pattern.substring(pattern.lastIndexOf('/') + 1);
    }

    /** The request, with attributes set while matching kept to itself (reads fall through to the request's own). */
    private static final class Probe extends HttpServletRequestWrapper {
        private final Map<String, Object> own = new HashMap<>();
        private final Set<String> removed = new HashSet<>();

        Probe(HttpServletRequest request) {
            super(request);
        }

        @Override
        public Object getAttribute(String name) {
            if (own.containsKey(name)) {
                return own.get(name);
            }
            return removed.contains(name) ? null : super.getAttribute(name);
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            Set<String> names = new LinkedHashSet<>(Collections.list(super.getAttributeNames()));
            names.removeAll(removed);
            names.addAll(own.keySet());
            return Collections.enumeration(names);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) {
                removeAttribute(name);
                return;
            }
            own.put(name, value);
            removed.remove(name);
        }

        @Override
        public void removeAttribute(String name) {
            own.remove(name);
            removed.add(name);
        }
    }
}
