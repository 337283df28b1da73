package io.gpudocker.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.Caller;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStreamsTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final EventFeed feed = new EventFeed(store, new Keys("/p", "a"), 3, Duration.ofMillis(50), Duration.ofHours(1));
    private final EventStreams streams = new EventStreams(feed, Duration.ofMillis(50), Duration.ofSeconds(5));

    @AfterEach
    void stop() {
        streams.close();
        feed.stop();
    }

    @Test
    void aStreamOpensAgainOnceStartedAfterAStop() {
        feed.start();
        streams.close();
        assertThatThrownBy(() -> streams.open(Caller.tenant("t"), null)).isInstanceOf(RejectedExecutionException.class);
        assertThat(streams.open()).isZero();

        streams.start();
        assertThat(streams.open(Caller.tenant("t"), null)).isNotNull();
        assertThat(streams.open()).isEqualTo(1);
    }
}
