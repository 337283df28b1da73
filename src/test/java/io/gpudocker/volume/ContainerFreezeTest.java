package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.common.FrozenContainers;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Freezing for a copy: only running containers, thawed afterwards whatever happened, a user's pause left alone. */
class ContainerFreezeTest {
    private final List<String> calls = new ArrayList<>();
    private final Map<String, String> status = new java.util.HashMap<>(Map.of("a", "running", "b", "running", "p", "paused", "s", "exited"));
    private final Set<String> refuses = new java.util.HashSet<>();

    private final ContainerEngine engine = (ContainerEngine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ContainerEngine.class},
            (proxy, method, args) -> {
                String name = (String) args[0];
                switch (method.getName()) {
                    case "inspect" -> {
                        String s = status.get(name);
                        return Optional.ofNullable(s == null ? null
                                : ContainerDetail.of(new ContainerSummary(name, name, s, !"exited".equals(s), false, Map.of())));
                    }
                    case "pause", "unpause" -> {
                        if (refuses.contains(method.getName() + " " + name)) {
                            throw new IllegalStateException("refused to " + method.getName() + " " + name);
                        }
                        calls.add(method.getName() + " " + name);
                        return null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                }
            });
    private final FrozenContainers inFlight = new FrozenContainers();
    private final ContainerFreeze freeze = new ContainerFreeze(engine, inFlight);

    @Test
    void freezesOnlyRunningContainersAndThawsExactlyThose() {
        try (ContainerFreeze.Frozen frozen = freeze.freeze(List.of("a", "p", "s", "gone"))) {
            assertThat(frozen.containers()).containsExactly("a");
            assertThat(calls).containsExactly("pause a");
            assertThat(inFlight.byACallInFlight("a")).as("the reconcile leaves a container frozen for a copy in flight").isTrue();
            assertThat(inFlight.byACallInFlight("p")).as("a pause that is not this call's").isFalse();
        }
        assertThat(calls).containsExactly("pause a", "unpause a");
        assertThat(inFlight.byACallInFlight("a")).isFalse();
    }

    @Test
    void aContainerThatCannotBePausedThawsThoseAlreadyFrozen() {
        refuses.add("pause b");
        assertThatThrownBy(() -> freeze.freeze(List.of("a", "b"))).hasMessageContaining("refused to pause b");
        assertThat(calls).containsExactly("pause a", "unpause a");
        assertThat(inFlight.byACallInFlight("a") || inFlight.byACallInFlight("b")).isFalse();
    }

    @Test
    void thawingGoesOnPastAContainerThatCannotBeThawed() {
        refuses.add("unpause a");
        freeze.freeze(List.of("a", "b")).close();
        assertThat(calls).containsExactly("pause a", "pause b", "unpause b");
        assertThat(inFlight.byACallInFlight("a")).as("one that could not be thawed is the reconcile's to thaw").isFalse();
    }
}
