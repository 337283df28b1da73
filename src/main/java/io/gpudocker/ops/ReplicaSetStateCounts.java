package io.gpudocker.ops;

import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * How many replicasets are in each state, refreshed from etcd in the background so that a scrape never
 * waits for etcd nor fails when it is down: the last known counts stay until a refresh succeeds.
 */
public class ReplicaSetStateCounts implements MeterBinder, SchedulingConfigurer {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetStateCounts.class);

    private final ReplicaSetRepository repo;
    private final Duration refreshEvery;
    private volatile Map<ReplicaSetState, Integer> counts = new EnumMap<>(ReplicaSetState.class);
    private volatile boolean stale;

    public ReplicaSetStateCounts(ReplicaSetRepository repo, Duration refreshEvery) {
        this.repo = repo;
        this.refreshEvery = refreshEvery;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::refresh, refreshEvery, Duration.ZERO));
    }

    public void refresh() {
        try {
            Map<ReplicaSetState, Integer> fresh = new EnumMap<>(ReplicaSetState.class);
            for (ReplicaSetRecord r : repo.local()) {
                fresh.merge(r.state(), 1, Integer::sum);
            }
            counts = fresh;
            if (stale) {
                log.info("replicaset counts for metrics are current again");
            }
            stale = false;
        } catch (RuntimeException e) {
            if (!stale) {
                log.warn("replicaset counts for metrics are stale until etcd answers: {}", e.getMessage());
            }
            stale = true;
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (ReplicaSetState state : ReplicaSetState.values()) {
            Gauge.builder("gda.replicasets", this, c -> c.count(state))
                    .description("Replicasets by state, refreshed from etcd in the background")
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    public int count(ReplicaSetState state) {
        return counts.getOrDefault(state, 0);
    }
}
