package io.gpudocker.telemetry;

import io.gpudocker.api.Caller;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.event.EventLog;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.UpdatePlans;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Telemetry: the sampler on its period (unless gda.telemetry.enabled=false), its gauges and the metrics endpoint. */
@Configuration(proxyBeanMethods = false)
public class TelemetryConfig {
    private static final Logger log = LoggerFactory.getLogger(TelemetryConfig.class);

    @Bean
    TelemetrySampler telemetrySampler(GdaProperties props, ContainerEngine engine, GpuScheduler gpus, GpuReadings readings,
                                      ReplicaSetRepository repo) {
        GdaProperties.Telemetry t = props.telemetry();
        return new TelemetrySampler(new NvidiaSmiTelemetry(props.gpu().nvidiaSmi(), t.nvidiaSmiTimeout()),
                new CgroupReader(Path.of(t.cgroupRoot()), Path.of(t.procRoot())), engine, props.etcd().prefix(), gpus, readings,
                () -> tenants(repo), Clock.systemUTC(), t.recentSamples(), t.dailyMinutes(), t.daily());
    }

    @Bean
    TelemetryGauges telemetryGauges(TelemetrySampler sampler, GpuReadings readings, GpuScheduler gpus, Keys keys, GdaProperties props) {
        return props.telemetry().enabled() ? new TelemetryGauges(sampler, readings, gpus, keys.node()) : null;
    }

    @Bean
    ReclaimPolicies reclaimPolicies(KeyValueStore store, Keys keys, ReplicaSetRepository repo, GdaProperties props) {
        // a replicaset's delete removes its own policy in the same transaction
        repo.addChangeHook((txn, before, after) -> {
            if (before != null && after == null) {
                txn.delete(keys.reclaim(before.name()));
            }
        });
        return new ReclaimPolicies(store, keys, repo, operatorDefault(props.reclaim()));
    }

    /** The operator's policy; null where gda.reclaim.idle-below-percent is unset. */
    static ReclaimPolicy operatorDefault(GdaProperties.Reclaim r) {
        return r.enabled() ? new ReclaimPolicy(r.idleBelowPercent(), r.idleFor(), r.action(), r.grace(), r.evenWithSessions(), false, "default") : null;
    }

    /** With telemetry on, always: an instance may have a policy of its own where the operator set none. */
    @Bean
    IdleReclaimer idleReclaimer(GdaProperties props, ContainerEngine engine, ReplicaSetLifecycle power, UpdatePlans updates, EventLog events,
                                ReclaimPolicies policies) {
        GdaProperties.Reclaim r = props.reclaim();
        if (!props.telemetry().enabled()) {
            if (r.enabled()) {
                log.warn("idle reclaim is set (gda.reclaim.idle-below-percent) but telemetry is off: no instance is reclaimed");
            }
            return null;
        }
        if (r.enabled()) {
            log.info("idle reclaim: GPUs below {}% for {} -> {} ({} warning first{}), unless an instance has a policy of its own", r.idleBelowPercent(),
                    r.idleFor(), r.action(), r.grace(), r.evenWithSessions() ? ", even with a session open" : ", never with a session open");
        }
        return new IdleReclaimer(policies::all, operatorDefault(r), engine, power, updates, Clock.systemUTC(), events);
    }

    @Bean
    TelemetryQueries telemetryQueries(ReplicaSetRepository repo, TelemetrySampler sampler, ObjectProvider<IdleReclaimer> reclaimer, Keys keys,
                                      GdaProperties props) {
        return new TelemetryQueries(repo, props.telemetry().enabled() ? sampler : null, reclaimer.getIfAvailable(), keys.node(),
                props.telemetry().period(), Clock.systemUTC());
    }

    @Bean
    TelemetrySchedule telemetrySchedule(TelemetrySampler sampler, ObjectProvider<TelemetryGauges> gauges, ObjectProvider<IdleReclaimer> reclaimer,
                                        GdaProperties props) {
        GdaProperties.Telemetry t = props.telemetry();
        if (!t.enabled()) {
            log.info("telemetry is off (gda.telemetry.enabled=false): no GPU or instance figures are sampled");
            return null;
        }
        TelemetryGauges g = gauges.getIfAvailable();
        IdleReclaimer idle = reclaimer.getIfAvailable();
        return new TelemetrySchedule(() -> {
            sampler.sample();
            if (g != null) {
                g.update();
            }
            if (idle != null) {
                idle.afterPass(sampler.lastPass());
            }
        }, t.period());
    }

    private static Map<String, String> tenants(ReplicaSetRepository repo) {
        Map<String, String> out = new HashMap<>();
        for (ReplicaSetRecord r : repo.list()) {
            out.put(r.name(), r.tenant() == null ? Caller.ADMIN_NAME : r.tenant());
        }
        return out;
    }
}
