package io.gpudocker.replicaset;

import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Intent;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.api.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The history limits: surplus version records go, oldest first, but never the current one or one with a container. */
class VersionPrunerTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 0, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Intents operations = ConfirmedIdentity.operations(store, new Keys("/t"));
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, new Keys("/t"), operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");

    @Test
    void surplusRecordsAreDroppedOldestFirstKeepingTheCurrentOneAndThoseWithAContainer() {
        recordVersions("foo", 30);
        // version 2 is old but its container is still there (e.g. it could not be removed yet)
        when(engine.listByLabels(any())).thenReturn(List.of(container("foo", 2, false), container("foo", 29, false), container("foo", 30, true)));
        doThrow(new IllegalStateException("device busy")).when(engine).remove("id-2");

        pruner(3, 10).prune("foo");

        assertThat(repo.recordedVersions("foo")).hasSize(10).contains(2L, 29L, 30L).doesNotContain(1L, 3L, 21L).contains(22L);
        assertThat(repo.require("foo").record().version()).isEqualTo(30);
    }

    @Test
    void underTheLimitNothingIsDropped() {
        recordVersions("foo", 8);
        when(engine.listByLabels(any())).thenReturn(List.of(container("foo", 8, true)));

        pruner(3, 10).prune("foo");

        assertThat(repo.recordedVersions("foo")).hasSize(8);
    }

    @Test
    void aFullWorkQueueSkipsThePassInsteadOfFailingTheCaller() {
        recordVersions("foo", 12);
        AtomicInteger offered = new AtomicInteger();
        VersionPruner pruner = new VersionPruner(repo, engine, containers, new NameLocks(Duration.ofSeconds(5)), task -> {
            offered.incrementAndGet();
            throw new RejectedExecutionException("queue full");
        }, 3, 10);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(VersionPruner.class);
        logger.addAppender(logged);
        logged.start();
        try {
            assertThatCode(() -> pruner.schedule("foo")).doesNotThrowAnyException();
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(offered).hasValue(1);
        verifyNoInteractions(engine);
        assertThat(repo.recordedVersions("foo")).hasSize(12);
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).startsWith("the work queue is full; pruning old versions of foo waits for its next update");
        });
    }

    private VersionPruner pruner(int keep, int maxRecords) {
        return new VersionPruner(repo, engine, containers, new NameLocks(Duration.ofSeconds(5)), Runnable::run, keep, maxRecords);
    }

    private void recordVersions(String name, int count) {
        ReplicaSetRecord record = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, List.of(), Map.of(), Instant.now(), Instant.now(), null);
        repo.create(record, version(name, 1), operations.begin(Intent.start(Intent.REPLICASET, "create", name, 1)));
        for (int v = 2; v <= count; v++) {
            var stored = repo.require(name, Caller.ADMIN);
            repo.update(stored, stored.record().with(v, ReplicaSetState.RUNNING, List.of(), Map.of()), version(name, v));
        }
    }

    private static ReplicaSetVersion version(String name, long v) {
        return new ReplicaSetVersion(name, v, name + "-" + v, Instant.now(), "test", SPEC, List.of(), Map.of());
    }

    private static ContainerSummary container(String name, long v, boolean running) {
        return new ContainerSummary("id-" + v, name + "-" + v, running ? "running" : "exited", running, false,
                ManagedLabels.replicaSetVersion("/t", name, v));
    }
}
