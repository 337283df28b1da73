package io.gpudocker.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.TimeUnit;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Times every API call as {@code gda.operations}, tagged by operation (e.g. {@code replicaSet.create}) and
 * outcome. The start is kept across the async dispatch of streamed responses, so a log stream counts once,
 * for its whole length.
 */
public class OperationMetrics implements HandlerInterceptor {
    public static final String METER = "gda.operations";
    private static final String STARTED = OperationMetrics.class.getName() + ".started";

    private final MeterRegistry registry;

    public OperationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(STARTED) == null) {
            request.setAttribute(STARTED, System.nanoTime());
        }
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (!(handler instanceof HandlerMethod method) || !(request.getAttribute(STARTED) instanceof Long started)) {
            return;
        }
        Timer.builder(METER)
                .description("API operations by operation and outcome")
                .tag("operation", operation(method))
                .tag("outcome", outcome(response.getStatus()))
                .register(registry)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    static String operation(HandlerMethod method) {
        String controller = method.getBeanType().getSimpleName().replaceFirst("Controller$", "");
        return Character.toLowerCase(controller.charAt(0)) + controller.substring(1) + "." + method.getMethod().getName();
    }

    static String outcome(int status) {
        if (status == 503) {
            return "unavailable";
        }
        if (status >= 500) {
            return "server_error";
        }
        return status >= 400 ? "client_error" : "success";
    }
}
