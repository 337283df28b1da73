package io.gpudocker.replicaset.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineException;
import io.gpudocker.replicaset.reconcile.RepairAction.Note;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The steps are applied in the order decided; only a removal Docker refused keeps the intents that proved it. */
class ActionRunnerTest {
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ActionRunner runner = new ActionRunner(engine, new RepairAttempts(2, Duration.ofMillis(1)),
            new ContainerProofs(ConfirmedIdentity.operations(new InMemoryKeyValueStore(), new Keys("/t"))), new ExitSightings(Duration.ZERO));

    @Test
    void stepsRunInTheirOrder() {
        ContainerSummary a = container("a");
        ContainerSummary b = container("b");

        boolean allRemoved = runner.apply(List.of(new RepairAction.Unpause(a, note()), new RepairAction.Stop(b, note()),
                new RepairAction.Remove(a, note()), new RepairAction.Start(b, note())));

        InOrder order = inOrder(engine);
        order.verify(engine).unpause("id-a");
        order.verify(engine).stop("id-b");
        order.verify(engine).remove("id-a");
        order.verify(engine).start("id-b");
        assertThat(allRemoved).isTrue();
    }

    @Test
    void aRefusedRemovalIsNotAllRemovedButARefusedStopDoesNotCount() {
        ContainerSummary a = container("a");
        doThrow(new EngineException(409, "busy", null)).when(engine).stop("id-a");

        assertThat(runner.apply(List.of(new RepairAction.Stop(a, note())))).isTrue();
        assertThat(runner.apply(new RepairAction.Stop(a, note()))).as("the stop itself was not done").isFalse();

        doThrow(new EngineException(409, "removal already in progress", null)).when(engine).remove("id-a");
        assertThat(runner.apply(List.of(new RepairAction.Remove(a, note()), new RepairAction.Keep(a, "why")))).isFalse();
    }

    private static ContainerSummary container(String name) {
        return new ContainerSummary("id-" + name, name + "-1", "running", true, false, Map.of());
    }

    private static Note note() {
        return Note.of("done {}", "x");
    }
}
