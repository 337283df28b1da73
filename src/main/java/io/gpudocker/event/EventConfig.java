package io.gpudocker.event;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The event log every feature writes to, and this node's feed of the cluster's events for the streams. */
@Configuration(proxyBeanMethods = false)
public class EventConfig {

    @Bean
    EventLog eventLog(KeyValueStore store, Keys keys) {
        return new EventLog(store, keys);
    }

    @Bean
    EventFeed eventFeed(KeyValueStore store, Keys keys, GdaProperties props) {
        return new EventFeed(store, keys, props.events().history(), Duration.ofSeconds(1), props.events().trimEvery());
    }

    @Bean
    EventStreams eventStreams(EventFeed feed, GdaProperties props) {
        return new EventStreams(feed, props.events().keepAlive(), props.events().streamTimeout());
    }

    @Bean
    SmartLifecycle eventFeeding(EventFeed feed, EventStreams streams) {
        return new SmartLifecycle() {
            private boolean running;

            @Override
            public synchronized void start() {
                feed.start();
                streams.start();
                running = true;
            }

            @Override
            public synchronized void stop() {
                feed.stop();
                streams.close();
                running = false;
            }

            @Override
            public synchronized boolean isRunning() { return running; }
        };
    }
}
