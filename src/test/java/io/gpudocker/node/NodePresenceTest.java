package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodePresenceTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "gpu1");
    private final AtomicInteger free = new AtomicInteger(8);
    private final Supplier<NodeStatus> figures = () -> new NodeStatus("gpu1", "http://gpu1:2378", "1", Instant.EPOCH, true, List.of("GPU-0"),
            8, free.get(), 4, 4, 0, 0, 10, 10);
    @TempDir
    Path stateDir;

    private final List<NodePresence> made = new java.util.ArrayList<>();

    private NodePresence presence(Path dir) {
        NodePresence p = new NodePresence(store, keys, Duration.ofSeconds(2), dir, "/p", figures, new NodeMembers(store, keys), () -> true);
        made.add(p);
        return p;
    }

    /** No heartbeat outlives its test (a crashed predecessor's would keep renewing a lease it lost). */
    @org.junit.jupiter.api.AfterEach
    void stopHeartbeats() {
        made.forEach(NodePresence::close);
    }

    private KeyValue entry() {
        return store.get(keys.node("gpu1")).orElseThrow();
    }

    @Test
    void theNodeIsListedUnderItsLeaseAndAsAMemberUntilItStops() {
        NodePresence p = presence(stateDir);
        p.verify();

        assertThat(entry().lease()).isNotZero();
        assertThat(Json.read(entry().value(), NodeStatus.class).gpuFree()).isEqualTo(8);
        assertThat(new NodeDirectory(store, keys).member("gpu1")).hasValueSatisfying(m -> assertThat(m.advertise()).isEqualTo("http://gpu1:2378"));

        free.set(5);
        p.beat();
        assertThat(Json.read(entry().value(), NodeStatus.class).gpuFree()).isEqualTo(5);

        p.stop();
        assertThat(store.get(keys.node("gpu1"))).isEmpty();
        assertThat(new NodeDirectory(store, keys).member("gpu1")).isPresent();
    }

    @Test
    void aStoppedNodeThatIsStartedAgainRegistersAgain() {
        NodePresence p = presence(stateDir);
        p.verify();
        p.stop();
        assertThat(store.get(keys.node("gpu1"))).isEmpty();
        assertThat(p.isRunning()).isFalse();

        p.start();

        assertThat(p.isRunning()).isTrue();
        assertThat(entry().lease()).isNotZero();
        p.close();
    }

    @Test
    void aRestartAfterACrashEndsItsOwnPreviousLeaseAtOnce() {
        presence(stateDir).verify();
        long before = entry().lease();

        long started = System.nanoTime();
        presence(stateDir).verify();

        assertThat(entry().lease()).isNotEqualTo(before);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aSecondLiveProcessWithTheSameNameIsRefused(@TempDir Path otherStateDir) {
        presence(stateDir).verify();
        assertThatThrownBy(() -> presence(otherStateDir).verify())
                .isInstanceOf(io.gpudocker.recovery.StartRefusedException.class).hasMessageContaining("node name 'gpu1' is held by another live process");
    }

    @Test
    void aLeaseThatRanOutIsTakenAgainAtTheNextHeartbeat() {
        NodePresence p = presence(stateDir);
        p.verify();
        long first = entry().lease();
        store.expire(first);
        assertThat(store.get(keys.node("gpu1"))).isEmpty();

        p.beat();

        assertThat(entry().lease()).isNotZero().isNotEqualTo(first);
    }
}
