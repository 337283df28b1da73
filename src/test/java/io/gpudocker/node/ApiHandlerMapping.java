package io.gpudocker.node;

import io.gpudocker.api.RunsOn;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.List;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Spring MVC's own mapping over the application's controllers, without a context: handlers are registered by method
 * (never instantiated), which is all that matching a request to its handler needs.
 */
final class ApiHandlerMapping extends RequestMappingHandlerMapping {
    /** Where the main classes are: the test classes hold controllers of their own. */
    private static final URL MAIN = RunsOn.class.getProtectionDomain().getCodeSource().getLocation();
    private static final List<Class<?>> CONTROLLERS = scan();

    private ApiHandlerMapping() {}

    static ApiHandlerMapping overControllers() {
        ApiHandlerMapping mapping = new ApiHandlerMapping();
        mapping.afterPropertiesSet();
        return mapping;
    }

    private static List<Class<?>> scan() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        return scanner.findCandidateComponents("io.gpudocker").stream()
                .<Class<?>>map(d -> ClassUtils.resolveClassName(d.getBeanClassName(), ApiHandlerMapping.class.getClassLoader()))
                .filter(c -> MAIN.equals(c.getProtectionDomain().getCodeSource().getLocation()))
                .toList();
    }

    @Override
    protected void initHandlerMethods() {
        for (Class<?> type : CONTROLLERS) {
            for (Method method : type.getDeclaredMethods()) {
                RequestMappingInfo info = getMappingForMethod(method, type);
                if (info != null) {
                    registerHandlerMethod(type, method, info);
                }
            }
        }
    }
}
