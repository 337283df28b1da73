package io.gpudocker.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpudocker.api.Caller;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventFeedTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final EventLog log = new EventLog(store, keys);
    private final EventFeed feed = new EventFeed(store, keys, 3, Duration.ofMillis(50), Duration.ofHours(1));

    @AfterEach
    void stop() {
        feed.stop();
    }

    private static Event of(String instance, String tenant, String type) {
        return Event.ofInstance(type, null, tenant, instance, 1L, "running", null);
    }

    private List<String> typesAfter(long id, Caller caller) throws InterruptedException {
        return feed.after(id, EventStreams.visibleTo(caller), Duration.ZERO).stream().map(Event::type).toList();
    }

    @Test
    void eventsWrittenBeforeAndAfterTheStartComeInIdOrderWithTheNewestKeptOnly() throws Exception {
        log.publish(of("x", "alice", "created"));
        log.publish(of("x", "alice", "paused"));
        feed.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.lastId() == store.revision());
        log.publish(of("x", "alice", "running"));
        log.publish(of("x", "alice", "stopped"));

        List<Event> all = feed.after(0, e -> true, Duration.ZERO);
        assertThat(all).extracting(Event::type).containsExactly("paused", "running", "stopped");
        assertThat(all).extracting(Event::id).isSorted().doesNotHaveDuplicates();
        assertThat(all).allSatisfy(e -> assertThat(e.node()).isEqualTo("a"));
        assertThat(typesAfter(all.get(0).id(), Caller.ADMIN)).containsExactly("running", "stopped");
    }

    @Test
    void aTenantSeesItsOwnInstancesEventsOnlyAndNoNodesEvents() throws Exception {
        feed.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.open(keys.events()).size() == 1);
        log.publish(of("x", "alice", "created"));
        log.publish(of("y", "bob", "created"));
        log.publish(Event.ofNode("node-up", "a", "registered"));

        assertThat(typesAfter(0, Caller.tenant("alice"))).containsExactly("created");
        assertThat(feed.after(0, EventStreams.visibleTo(Caller.tenant("bob")), Duration.ZERO)).extracting(Event::instance).containsExactly("y");
        assertThat(typesAfter(0, Caller.ADMIN)).containsExactly("created", "created", "node-up");
    }

    @Test
    void aWaitingStreamIsWokenByTheNextEventAndAWatchThatEndsIsResumedWithoutRepeats() throws Exception {
        feed.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.open(keys.events()).size() == 1);
        log.publish(of("x", "alice", "created"));
        long seen = feed.lastId();
        Thread writer = new Thread(() -> {
            sleep(200);
            log.publish(of("x", "alice", "stopped"));
        });
        writer.start();
        assertThat(feed.after(seen, e -> true, Duration.ofSeconds(5))).extracting(Event::type).containsExactly("stopped");

        store.open(keys.events()).get(0).listener.broken(new RuntimeException("etcd gone"));
        log.publish(of("x", "alice", "deleted"));
        await().atMost(Duration.ofSeconds(5)).until(() -> store.open(keys.events()).size() == 1 && feed.lastId() == store.revision());
        assertThat(typesAfter(0, Caller.ADMIN)).containsExactly("created", "stopped", "deleted");
    }

    @Test
    void theTrimKeepsTheNewestEventsInTheStore() {
        for (int i = 0; i < 5; i++) {
            log.publish(of("x" + i, "alice", "created"));
        }
        feed.trim();
        assertThat(store.list(keys.events())).hasSize(3)
                .allSatisfy(kv -> assertThat(kv.value()).doesNotContain("\"x0\"").doesNotContain("\"x1\""));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
