package io.gpudocker.config;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.common.CallThreads;
import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.common.FrozenContainers;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.copy.ConfinedCommand;
import io.gpudocker.copy.CopySlots;
import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.docker.BindMounts;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerHardening;
import io.gpudocker.docker.DockerCalls;
import io.gpudocker.docker.DockerContainerEngine;
import io.gpudocker.docker.DockerTimeouts;
import io.gpudocker.docker.DockerVolumeEngine;
import io.gpudocker.docker.HostProcesses;
import io.gpudocker.docker.StopGrace;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopologyReader;
import io.gpudocker.resource.gpu.GpuInventoryReader;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.EtcdKeyValueStore;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** The shared infrastructure every feature wires onto: Docker and etcd behind their small interfaces, the schedulers, the name locks, the work queue. */
@Configuration(proxyBeanMethods = false)
public class InfrastructureConfig {
    private static final Logger log = LoggerFactory.getLogger(InfrastructureConfig.class);

    @Bean
    DefaultDockerClientConfig dockerClientConfig(GdaProperties props) {
        return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(props.docker().host()).build();
    }

    @Bean(destroyMethod = "close")
    DockerHttpClient dockerHttpClient(DefaultDockerClientConfig config, GdaProperties props) {
        return new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(200)
                .connectionTimeout(props.docker().connectTimeout())
                .build();
    }

    @Bean
    DockerClient dockerClient(DefaultDockerClientConfig config, DockerHttpClient http) {
        return DockerClientImpl.getInstance(config, http);
    }

    /** One for the service: the engines' calls and the health probe bounded alike. */
    @Bean
    DockerCalls dockerCalls(GdaProperties props) {
        GdaProperties.Docker d = props.docker();
        int maxCalls = d.maxCalls() > 0 ? d.maxCalls() : DockerCalls.defaultMaxInFlight(Runtime.getRuntime().availableProcessors());
        return new DockerCalls(d.host(), new DockerTimeouts(d.responseTimeout(), d.workTimeout(), d.stopTimeout()), maxCalls);
    }

    /**
     * Host-path binds mounted by this service, checked, below its state directory; the policy is asked lazily, as it
     * asks the engine for Docker's data root.
     */
    @Bean
    BindMounts bindMounts(GdaProperties props, ObjectProvider<HostPathPolicy> policy) {
        BindMounts mounts = new BindMounts(Path.of(props.stateDir()), props.etcd().prefix(), real -> policy.getObject().allows(real));
        if (!props.binds().allowedRoots().isEmpty()) {
            // without roots no host path is ever mounted: nothing to prepare, nothing left mounted
            mounts.prepare();
        }
        return mounts;
    }

    @Bean
    ContainerEngine containerEngine(DockerClient docker, DockerHttpClient http, DockerCalls calls, GdaProperties props, BindMounts bindMounts) {
        return new DockerContainerEngine(docker, http, calls, new ContainerHardening(props.containers().pidsLimit(),
                ContainerHardening.capabilities(props.containers().capDrop())),
                new StopGrace(new HostProcesses(Path.of("/proc"))), bindMounts).attachingThrough(props.docker().host());
    }

    @Bean
    VolumeEngine volumeEngine(DockerClient docker, DockerCalls calls) {
        return new DockerVolumeEngine(docker, calls);
    }

    @Bean
    FrozenContainers frozenContainers() {
        return new FrozenContainers();
    }

    /** Ends followed log streams as shutdown begins, so the graceful shutdown does not wait for their clients. */
    @Bean
    ApplicationListener<ContextClosedEvent> endLogStreamsOnShutdown(ContainerEngine engine) {
        return event -> {
            if (engine instanceof DockerContainerEngine docker) {
                docker.close();
            }
        };
    }

    @Bean(destroyMethod = "close")
    Client etcdClient(GdaProperties props) {
        GdaProperties.Etcd etcd = props.etcd();
        ClientBuilder builder = Client.builder()
                .endpoints(etcd.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(2))
                .maxInboundMessageSize(EtcdKeyValueStore.MAX_MESSAGE_BYTES)
                .waitForReady(false);
        if (CallThreads.virtual()) {
            // jetcd's own default is a cached pool of platform threads, one more for each call in flight
            builder.executorService(CallThreads.perTask("etcd-call-"));
        }
        if (etcd.tls()) {
            builder.sslContext(EtcdTls.sslContext(etcd));
            log.info("etcd client: TLS to {}, members checked against {}, {}", String.join(",", etcd.endpoints()),
                    etcd.caFile() != null ? etcd.caFile() : "the JVM's default trust",
                    etcd.certFile() != null ? "client certificate " + etcd.certFile() : "no client certificate");
        }
        return builder.build();
    }

    @Bean
    KeyValueStore keyValueStore(Client client, GdaProperties props) {
        return new EtcdKeyValueStore(client, props.etcd().timeout(), String.join(",", props.etcd().endpoints()));
    }

    /** What the long operations in flight are doing, for the instance and volume views. */
    @Bean
    ProgressBoard progressBoard() {
        return new ProgressBoard(java.time.Clock.systemUTC());
    }

    @Bean
    Keys keys(GdaProperties props) {
        return new Keys(props.etcd().prefix(), props.node().name());
    }

    /** This deployment's identity in etcd, confirmed by the start-up checks before anything is acted on. */
    @Bean
    ClusterIdentity clusterIdentity(KeyValueStore store, Keys keys, GdaProperties props) {
        return new ClusterIdentity(store, keys, String.join(",", props.etcd().endpoints()) + " (prefix " + props.etcd().prefix() + ")");
    }

    @Bean
    Intents operations(KeyValueStore store, Keys keys, ClusterIdentity identity) {
        return new Intents(store, keys, identity);
    }

    @Bean
    GpuInventoryReader gpuInventoryReader(GdaProperties props) {
        return new GpuInventoryReader(props.gpu().nvidiaSmi());
    }

    @Bean
    GpuScheduler gpuScheduler() {
        return new GpuScheduler();
    }

    /** The GPUs' latest figures, filled by the telemetry sampler when it runs. */
    @Bean
    GpuReadings gpuReadings() {
        return new GpuReadings();
    }

    /** Empty until the start-up reconcile loads the topology and the records' holdings. */
    @Bean
    CpuScheduler cpuScheduler() {
        return new CpuScheduler();
    }

    @Bean
    CpuTopologyReader cpuTopologyReader(GdaProperties props) {
        return new CpuTopologyReader(Path.of(props.resources().sysfsRoot()), props.resources().reservedCpus());
    }

    @Bean
    MemoryPool memoryPool(GdaProperties props) {
        long host = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        MemoryPool pool = new MemoryPool(props.resources().memoryPool(host));
        log.info("memory pool for instance limits: {} ({})", ByteSizes.format(pool.total()),
                props.resources().memoryTotal() != null ? "gda.resources.memory-total" : "host memory " + ByteSizes.format(host)
                        + " less gda.resources.memory-reserve " + ByteSizes.format(props.resources().memoryReserve().toBytes()));
        return pool;
    }

    @Bean
    PortScheduler portScheduler(GdaProperties props) {
        return new PortScheduler(props.ports().parsed());
    }

    /** Shared by the system disks' and the volumes' copiers: gda.docker.max-copies at once. */
    @Bean
    CopySlots copySlots(GdaProperties props) {
        return new CopySlots(props.docker().maxCopies());
    }

    /** How every copy of a tenant's tree runs: confined to the trees it copies. */
    @Bean
    ConfinedCommand confinedCommand() {
        return new ConfinedCommand();
    }

    /** One for the service, so that each filesystem is probed once, whichever feature copies on it first. */
    @Bean
    ReflinkProbe reflinkProbe(ConfinedCommand confined) {
        return new ReflinkProbe("cp", ReflinkProbe.DEFAULT_LIMIT, confined);
    }

    @Bean
    CopyMetrics copyMetrics(ObjectProvider<MeterRegistry> registry) {
        return new CopyMetrics(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    NameLocks nameLocks() {
        return new NameLocks(Duration.ofMinutes(10));
    }

    /** The work queue for work that may lag the response (pruning, cleanup); never for acknowledged records. */
    @Bean(destroyMethod = "shutdown")
    ThreadPoolTaskExecutor workQueue() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("work-queue-");
        executor.setCorePoolSize(2);
        executor.setMaxPoolSize(2);
        executor.setQueueCapacity(10_000);
        executor.initialize();
        return executor;
    }
}
