package io.gpudocker.ops;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Metrics: the operation timer on every API call, and gauges read from in-memory views (never etcd on a scrape). */
@Configuration(proxyBeanMethods = false)
public class OpsConfig {

    @Bean
    ReplicaSetStateCounts replicaSetStateCounts(ReplicaSetRepository repo, GdaProperties props) {
        return new ReplicaSetStateCounts(repo, props.metrics().replicasetRefresh());
    }

    @Bean
    MeterBinder resourceGauges(GpuScheduler gpus, PortScheduler ports) {
        return registry -> {
            // not gda.gpus.total: Prometheus reserves the _total suffix for counters and would drop it from a gauge
            Gauge.builder("gda.gpus.inventory", gpus, GpuScheduler::total).description("GPUs in the inventory (total)").register(registry);
            Gauge.builder("gda.gpus.held", gpus, g -> g.total() - g.free().size()).description("GPUs held by replicasets").register(registry);
            Gauge.builder("gda.ports.free", ports, PortScheduler::freeCount).description("Host ports free in the configured range").register(registry);
        };
    }

    @Bean
    WebMvcConfigurer operationMetricsInterceptor(ObjectProvider<MeterRegistry> registry) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry interceptors) {
                interceptors.addInterceptor(new OperationMetrics(registry.getObject())).addPathPatterns("/api/**", "/ping");
            }
        };
    }
}
