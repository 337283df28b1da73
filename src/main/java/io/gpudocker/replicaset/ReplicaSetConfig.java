package io.gpudocker.replicaset;

import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.copy.CopySlots;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.copy.ConfinedCommand;
import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.event.EventLog;
import io.gpudocker.config.ComputeLimits;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.config.QuotaSettings;
import io.gpudocker.config.SessionLimits;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.image.ImageAccess;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.Usage;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.HolderVisibility;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intents;
import io.gpudocker.volume.VolumeQueries;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Wires the replicaset feature onto the shared engine, store, schedulers, name locks and work queue. */
@Configuration(proxyBeanMethods = false)
public class ReplicaSetConfig {

    @Bean
    ReplicaSetRepository replicaSetRepository(KeyValueStore store, Keys keys, Intents operations, QuotaLedger quotas, QuotaSettings quota,
                                              EventLog events) {
        ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
        repo.addChangeHook(new ReplicaSetEvents(events));
        if (quota.enabled()) {
            repo.addChangeHook(new ReplicaSetQuotaHook(quotas));
            quotas.addSource(tenant -> repo.list().stream().filter(r -> tenant.equals(r.tenant())).map(ReplicaSetQuotaHook::held)
                    .reduce(Usage.NONE, Usage::plus));
        }
        return repo;
    }

    @Bean
    HostPathPolicy hostPathPolicy(ContainerEngine engine, GdaProperties props) {
        return new HostPathPolicy(props.binds().allowedRoots(), props.docker().host(), () -> engine.info().dockerRootDir(), props.stateDir(),
                props.binds().tenantsShareRoots());
    }

    @Bean
    VersionContainers versionContainers(ContainerEngine engine, VolumeQueries volumes, ImageAccess images, HostPathPolicy hostPaths,
                                        GdaProperties props, ClusterIdentity identity) {
        return new VersionContainers(engine, volumes::usableBy, images::usableBy, hostPaths, props.etcd().prefix(), () -> identity.cluster().id());
    }

    @Bean
    SystemDiskCopier systemDiskCopier(ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined, CopySlots copies) {
        return new SystemDiskCopier("cp", SystemDiskCopier.DEFAULT_LIMIT, reflinks, metrics, confined, copies.semaphore());
    }

    @Bean
    VersionPruner versionPruner(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, NameLocks locks,
                                ThreadPoolTaskExecutor workQueue, GdaProperties props) {
        return new VersionPruner(repo, engine, containers, locks, workQueue, props.history().keep(), props.history().maxRecords());
    }

    @Bean
    ComputeAllocator computeAllocator(CpuScheduler cpus, MemoryPool memory, GpuScheduler gpus, GdaProperties props) {
        return new ComputeAllocator(cpus, memory, gpus, shares(props));
    }

    @Bean
    TenantCeilings tenantCeilings(GdaProperties props, ComputeLimits limits) {
        return new TenantCeilings(shares(props), limits);
    }

    private static ComputeDefaults shares(GdaProperties props) {
        GdaProperties.Resources r = props.resources();
        return new ComputeDefaults(r.cpusPerGpu(), r.cpusWithoutGpu(), r.memoryPerGpu().toBytes(), r.memoryWithoutGpu().toBytes(), r.shmSize().toBytes());
    }

    @Bean
    HoldingsReservations holdingsReservations(GpuScheduler gpus, PortScheduler ports, ComputeAllocator compute) {
        return new HoldingsReservations(gpus, ports, compute);
    }

    @Bean
    ReplicaSetCreation replicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                                          GpuScheduler gpus, HoldingsReservations reservations, NameLocks locks, Intents operations,
                                          GdaProperties props, TenantCeilings ceilings, QuotaLedger quotas, QuotaSettings quota,
                                          MeterRegistry metrics) {
        return new ReplicaSetCreation(repo, engine, containers, gpus, reservations, locks, operations, props.containers().init(), ceilings,
                quota.enabled() ? quotas : null, metrics);
    }

    @Bean
    VersionedUpdate versionedUpdate(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, HoldingsReservations reservations,
                                    NameLocks locks, SystemDiskCopier copier, VersionPruner pruner, Intents operations,
                                    MeterRegistry metrics, ProgressBoard progress) {
        return new VersionedUpdate(repo, engine, containers, reservations, locks, copier, pruner, operations, metrics, progress);
    }

    @Bean
    UpdatePlans updatePlans(VersionedUpdate update, ReplicaSetRepository repo, GpuScheduler gpus, TenantCeilings ceilings,
                            ObjectProvider<RollbackAcross> across) {
        return new UpdatePlans(update, repo, gpus, ceilings,
                (name, version, node, caller) -> across.getIfAvailable(() -> RollbackAcross.NONE).rollback(name, version, node, caller));
    }

    @Bean
    ReplicaSetLifecycle replicaSetLifecycle(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                            HoldingsReservations reservations, NameLocks locks, Intents operations) {
        return new ReplicaSetLifecycle(repo, engine, containers, reservations, locks, operations);
    }

    /** What each tenant holds open of shells: the console's terminals and the SSH gateway's sessions, one count. */
    @Bean
    SessionSlots terminalSlots(SessionLimits sessions, Quotas quotas) {
        return new SessionSlots("terminal(s)", "gda.sessions.terminals-per-tenant", sessions.terminalsPerTenant(), sessions.adminTerminals())
                .withQuota(quotas, Resource.TERMINALS);
    }

    /** A start-up check too: this node's committed images are counted in etcd before it serves. */
    @Bean
    ImageCommitQuota imageCommitQuota(ContainerEngine engine, GdaProperties props, Quotas quotas) {
        return new ImageCommitQuota(engine, props.etcd().prefix(), quotas);
    }

    @Bean
    ContainerActions containerActions(ReplicaSetRepository repo, ContainerEngine engine, NameLocks locks, GdaProperties props, SessionLimits sessions,
                                      Quotas quotas, ImageCommitQuota images) {
        return new ContainerActions(repo, engine, locks, props.docker().execTimeout(), props.etcd().prefix(),
                new FollowSlots(props.logs().maxFollowsPerTenant(), props.logs().maxFollows()), props.logs().followIdleTimeout(),
                new SessionSlots("running command(s)", "gda.sessions.executes-per-tenant", sessions.executesPerTenant(), sessions.adminExecutes())
                        .withQuota(quotas, Resource.EXECUTES), images);
    }

    @Bean
    ReplicaSetQueries replicaSetQueries(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, ProgressBoard progress,
                                        ObjectProvider<RemoteSnapshots> remote) {
        return new ReplicaSetQueries(repo, engine, containers, progress,
                (node, name, caller) -> remote.getIfAvailable(() -> RemoteSnapshots.NONE).containers(node, name, caller));
    }

    /** Which holders' names a caller may see in the resource maps (GPUs, ports, CPU cores, memory): the replicasets it may see. */
    @Bean
    HolderVisibility holderVisibility(ReplicaSetRepository repo) {
        return caller -> {
            if (caller.admin()) {
                return holder -> true;
            }
            Set<String> own = repo.list(caller).stream().map(ReplicaSetRecord::name).collect(Collectors.toSet());
            return own::contains;
        };
    }
}
