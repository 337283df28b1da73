package io.gpudocker.usage;

import io.gpudocker.api.Caller;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;

/**
 * Usage metering: hooks on the replicaset and volume records that write intervals in the transaction of each change,
 * the ledger that answers queries, the compaction of old intervals and the per-tenant counters.
 */
@Configuration(proxyBeanMethods = false)
public class UsageConfig {
    private static final Logger log = LoggerFactory.getLogger(UsageConfig.class);

    @Bean
    UsageKeys usageKeys(Keys keys) {
        return new UsageKeys(keys.usage());
    }

    @Bean
    UsageLedger usageLedger(KeyValueStore store, UsageKeys keys) {
        return new UsageLedger(store, keys, Clock.systemUTC());
    }

    @Bean
    UsageQueries usageQueries(UsageLedger ledger) {
        return new UsageQueries(ledger, Clock.systemUTC());
    }

    @Bean
    UsageCounters usageCounters(UsageLedger ledger, GdaProperties props) {
        return new UsageCounters(ledger, props.usage().metricsRefresh());
    }

    @Bean
    UsageCompactor usageCompactor(KeyValueStore store, UsageKeys keys, GdaProperties props) {
        return new UsageCompactor(store, keys, Clock.systemUTC(), props.usage().retention());
    }

    @Bean
    SchedulingConfigurer usageCompaction(UsageCompactor compactor, GdaProperties props) {
        return registrar -> registrar.addFixedDelayTask(new FixedDelayTask(() -> {
            try {
                compactor.compact();
            } catch (RuntimeException e) {
                log.warn("usage compaction skipped this pass: {}", e.getMessage());
            }
        }, props.usage().compactEvery(), Duration.ofMinutes(1)));
    }

    /**
     * Every change of a replicaset or volume record carries its usage interval, unless metering is off. The hooks go on
     * the repositories as they are made, before any startup work (reconcile, recovery) can change a record unmetered.
     */
    @Bean
    static BeanPostProcessor usageMetering(ObjectProvider<KeyValueStore> store, ObjectProvider<Keys> keys,
                                           ObjectProvider<GpuScheduler> gpus, ObjectProvider<GdaProperties> props) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof ReplicaSetRepository || bean instanceof VolumeRepository) {
                    if (!props.getObject().usage().enabled()) {
                        log.info("usage metering is off (gda.usage.enabled=false): no usage intervals are written for {}", name);
                        return bean;
                    }
                    UsageKeys usage = new UsageKeys(keys.getObject().usage());
                    Clock clock = Clock.systemUTC();
                    if (bean instanceof ReplicaSetRepository replicaSets) {
                        replicaSets.addChangeHook(new MeteringHook<>(store.getObject(), usage, clock, Held.REPLICASET, ReplicaSetRecord::name,
                                r -> held(r, gpus.getObject()), ReplicaSetRecord::updateTime));
                    } else {
                        ((VolumeRepository) bean).addChangeHook(new MeteringHook<>(store.getObject(), usage, clock, Held.VOLUME, VolumeRecord::name,
                                UsageConfig::held, VolumeRecord::updateTime));
                    }
                }
                return bean;
            }
        };
    }

    /** What a replicaset holds while it is not stopped: its GPUs by model, its pinned cores and its memory. */
    static Held held(ReplicaSetRecord r, GpuScheduler gpus) {
        if (!r.state().holdsResources()) {
            return null;
        }
        Map<String, String> models = new TreeMap<>();
        for (Gpu g : gpus.inventory()) {
            models.put(g.uuid(), g.model());
        }
        Map<String, Integer> byModel = new TreeMap<>();
        r.gpus().forEach(uuid -> byModel.merge(models.getOrDefault(uuid, "unknown"), 1, Integer::sum));
        return new Held(Held.REPLICASET, tenantOf(r.tenant()), r.name(), r.state().name(), byModel, r.cpus().size(), r.memory(), 0L);
    }

    /** A volume with a size, for as long as it has it; one without a size meters nothing. */
    static Held held(VolumeRecord v) {
        if (v.sizeBytes() == null || v.sizeBytes() <= 0) {
            return null;
        }
        return new Held(Held.VOLUME, tenantOf(v.tenant()), v.name(), "ACTIVE", Map.of(), 0, 0L, v.sizeBytes());
    }

    /** Records older than tenancy are the admin's. */
    static String tenantOf(String tenant) {
        return tenant == null ? Caller.ADMIN_NAME : tenant;
    }
}
