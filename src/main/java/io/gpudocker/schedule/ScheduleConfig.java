package io.gpudocker.schedule;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.event.EventLog;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.UpdatePlans;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Schedules: kept in etcd, removed with their replicaset, run by the node holding it on a thread of its own. */
@Configuration(proxyBeanMethods = false)
public class ScheduleConfig {
    private static final Logger log = LoggerFactory.getLogger(ScheduleConfig.class);

    @Bean
    Schedules schedules(KeyValueStore store, Keys keys, ReplicaSetRepository repo) {
        // a replicaset's delete removes its schedule in the same transaction
        repo.addChangeHook((txn, before, after) -> {
            if (before != null && after == null) {
                txn.delete(keys.schedule(before.name()));
            }
        });
        return new Schedules(store, keys, repo, Clock.systemUTC());
    }

    @Bean
    ScheduleRunner scheduleRunner(Schedules schedules, ReplicaSetRepository repo, ReplicaSetLifecycle power, UpdatePlans updates, EventLog events) {
        return new ScheduleRunner(schedules, repo, power, updates, Clock.systemUTC(), events);
    }

    /** Its own thread: a stop takes as long as the container takes to stop, which must not hold the shared scheduler. */
    @Bean
    SmartLifecycle scheduleRunning(ScheduleRunner runner, GdaProperties props) {
        long every = props.schedules().checkEvery().toMillis();
        return new SmartLifecycle() {
            private ScheduledExecutorService executor;

            @Override
            public synchronized void start() {
                executor = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "schedules");
                    t.setDaemon(true);
                    return t;
                });
                executor.scheduleWithFixedDelay(() -> {
                    try {
                        runner.runDue();
                    } catch (RuntimeException e) {
                        log.warn("schedule pass failed: {}", e.toString());
                    }
                }, every, every, TimeUnit.MILLISECONDS);
            }

            @Override
            public synchronized void stop() {
                if (executor != null) {
                    executor.shutdownNow();
                    executor = null;
                }
            }

            @Override
            public synchronized boolean isRunning() { return executor != null; }
        };
    }
}
