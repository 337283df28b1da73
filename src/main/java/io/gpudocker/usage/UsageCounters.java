package io.gpudocker.usage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Every tenant's usage since metering began as Prometheus counters ({@code gda_usage_gpu_seconds_total{tenant,model}},
 * {@code gda_usage_core_seconds_total{tenant}}, ...), read from etcd in the background so a scrape never waits for it.
 * They are the cluster's figures: every node reports the same, so a dashboard takes one node's (or the max), not the sum.
 */
public class UsageCounters implements MeterBinder, SchedulingConfigurer {
    private static final Logger log = LoggerFactory.getLogger(UsageCounters.class);

    private final UsageLedger ledger;
    private final Duration refreshEvery;
    private volatile Map<String, Amounts> totals = Map.of();
    private volatile MeterRegistry registry;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile boolean stale;

    public UsageCounters(UsageLedger ledger, Duration refreshEvery) {
        this.ledger = ledger;
        this.refreshEvery = refreshEvery;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::refresh, refreshEvery, Duration.ZERO));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        register();
    }

    public void refresh() {
        try {
            totals = Map.copyOf(ledger.totals());
            if (stale) {
                log.info("usage counters are current again");
            }
            stale = false;
            register();
        } catch (RuntimeException e) {
            if (!stale) {
                log.warn("usage counters are stale until etcd answers: {}", e.getMessage());
            }
            stale = true;
        }
    }

    private void register() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        totals.forEach((tenant, a) -> {
            counter(r, tenant, "gda.usage.core.seconds", "core-seconds of exclusive CPU cores held", x -> x.coreSeconds());
            counter(r, tenant, "gda.usage.memory.gib.seconds", "GiB-seconds of memory held", Amounts::memoryGiBSeconds);
            counter(r, tenant, "gda.usage.volume.gib.hours", "GiB-hours of sized volumes", Amounts::volumeGiBHours);
            counter(r, tenant, "gda.usage.instance.seconds", "seconds instances held their resources", Amounts::instanceSeconds);
            a.gpuSeconds().keySet().forEach(model -> {
                if (registered.add(tenant + "\0gpu\0" + model)) {
                    FunctionCounter.builder("gda.usage.gpu.seconds", this, c -> c.gpuSeconds(tenant, model))
                            .description("GPU-seconds held, by tenant and GPU model")
                            .tag("tenant", tenant).tag("model", model).register(r);
                }
            });
        });
    }

    private void counter(MeterRegistry r, String tenant, String name, String description, ToDoubleFunction<Amounts> figure) {
        if (registered.add(tenant + "\0" + name)) {
            FunctionCounter.builder(name, this, c -> figure.applyAsDouble(c.totals.getOrDefault(tenant, Amounts.ZERO)))
                    .description(description).tag("tenant", tenant).register(r);
        }
    }

    double gpuSeconds(String tenant, String model) {
        return totals.getOrDefault(tenant, Amounts.ZERO).gpuSeconds().getOrDefault(model, 0.0);
    }
}
