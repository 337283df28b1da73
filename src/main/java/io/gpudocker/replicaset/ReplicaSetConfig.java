package io.gpudocker.replicaset;

import io.gpudocker.common.NameLocks;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.resource.gpu.GpuInventoryReader;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Wires the replicaset feature onto the shared engine, store, schedulers, name locks and work queue. */
@Configuration(proxyBeanMethods = false)
public class ReplicaSetConfig {

    @Bean
    ReplicaSetRepository replicaSetRepository(KeyValueStore store, Keys keys) {
        return new ReplicaSetRepository(store, keys);
    }

    @Bean
    VersionContainers versionContainers(ContainerEngine engine, GdaProperties props) {
        return new VersionContainers(engine, name -> engine.inspectVolume(name).isPresent(), props.etcd().prefix());
    }

    @Bean
    SystemDiskCopier systemDiskCopier() {
        return new SystemDiskCopier("cp");
    }

    @Bean
    VersionPruner versionPruner(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, NameLocks locks,
                                ThreadPoolTaskExecutor workQueue, GdaProperties props) {
        return new VersionPruner(repo, engine, containers, locks, workQueue, props.history().keep(), props.history().maxRecords());
    }

    @Bean
    ReplicaSetCreation replicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                                          GpuScheduler gpus, PortScheduler ports, NameLocks locks) {
        return new ReplicaSetCreation(repo, engine, containers, gpus, ports, locks);
    }

    @Bean
    VersionedUpdate versionedUpdate(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, GpuScheduler gpus,
                                    PortScheduler ports, NameLocks locks, SystemDiskCopier copier, VersionPruner pruner) {
        return new VersionedUpdate(repo, engine, containers, gpus, ports, locks, copier, pruner);
    }

    @Bean
    UpdatePlans updatePlans(VersionedUpdate update, ReplicaSetRepository repo, GpuScheduler gpus) {
        return new UpdatePlans(update, repo, gpus);
    }

    @Bean
    PowerStates powerStates(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                            GpuScheduler gpus, PortScheduler ports, NameLocks locks) {
        return new PowerStates(repo, engine, containers, gpus, ports, locks);
    }

    @Bean
    ContainerActions containerActions(ReplicaSetRepository repo, ContainerEngine engine, NameLocks locks, GdaProperties props) {
        return new ContainerActions(repo, engine, locks, props.docker().execTimeout());
    }

    @Bean
    ReplicaSetQueries replicaSetQueries(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers) {
        return new ReplicaSetQueries(repo, engine, containers);
    }

    @Bean
    Reconciler reconciler(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports,
                          NameLocks locks, VersionPruner pruner, VersionContainers containers) {
        return new Reconciler(repo, engine, gpus, ports, locks, pruner, containers);
    }

    /** Before the web server opens: a fresh GPU inventory, and etcd reconciled with Docker. */
    @Bean
    StartupReconcile startupReconcile(GpuInventoryReader inventory, Reconciler reconciler) {
        return new StartupReconcile(inventory, reconciler);
    }

    @Bean
    PeriodicReconcile periodicReconcile(Reconciler reconciler, GdaProperties props) {
        return new PeriodicReconcile(reconciler, props.reconcile().period());
    }
}
