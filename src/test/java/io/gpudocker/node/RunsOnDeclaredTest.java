package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;

/** Every endpoint of the API says which node runs it, so a new one cannot silently run on the wrong node. */
class RunsOnDeclaredTest {
    private static final Set<Where> OWNER = Set.of(Where.REPLICASET_OWNER, Where.VOLUME_OWNER);

    @Test
    void everyApiHandlerDeclaresWhereItRunsAndTheOwnersPathVariableIsInItsPath() {
        List<String> missing = new ArrayList<>();
        int api = 0;
        for (var entry : ApiHandlerMapping.overControllers().getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod handler = entry.getValue();
            Set<String> paths = info.getPatternValues();
            if (paths.stream().noneMatch(p -> p.startsWith("/api/v1/") || p.equals("/api/v1"))) {
                continue;
            }
            api++;
            RunsOn runsOn = handler.getMethodAnnotation(RunsOn.class);
            if (runsOn == null) {
                missing.add(handler.getMethod().getDeclaringClass().getSimpleName() + "." + handler.getMethod().getName() + " " + info
                        + ": no @RunsOn");
            } else if (OWNER.contains(runsOn.value())
                    && paths.stream().anyMatch(p -> !p.contains("{" + runsOn.pathVariable() + "}"))) {
                missing.add(handler.getMethod().getName() + " " + info + ": runs on the owner named by {" + runsOn.pathVariable()
                        + "}, which its path lacks");
            }
        }
        assertThat(api).as("API handlers found").isGreaterThan(30);
        assertThat(missing).isEmpty();
    }
}
