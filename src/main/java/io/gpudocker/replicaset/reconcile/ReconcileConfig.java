package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.FrozenContainers;
import io.gpudocker.common.NameLocks;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ComputeAllocator;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.replicaset.VersionPruner;
import io.gpudocker.resource.cpu.CpuTopologyReader;
import io.gpudocker.resource.gpu.GpuInventoryReader;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Operations;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the reconcile here rather than in {@code ReplicaSetConfig}: the replicaset package must not know its
 * sub-package, which depends on it.
 */
@Configuration(proxyBeanMethods = false)
public class ReconcileConfig {

    @Bean
    Reconciler reconciler(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports,
                          NameLocks locks, VersionPruner pruner, VersionContainers containers, Operations operations, ClusterIdentity identity,
                          FrozenContainers frozen, ComputeAllocator compute, GdaProperties props) {
        return new Reconciler(repo, engine, gpus, ports, locks, pruner, containers, operations, identity, frozen,
                new RepairAttempts(3, Duration.ofMillis(500)), compute, props.reconcile().exitGrace());
    }

    /** Before the web server opens: a fresh GPU inventory, the start-up checks, and etcd reconciled with Docker. */
    @Bean
    StartupReconcile startupReconcile(GpuInventoryReader inventory, CpuTopologyReader topology, Reconciler reconciler, ObjectProvider<StartupCheck> checks) {
        return new StartupReconcile(inventory, topology, reconciler, checks.orderedStream().toList());
    }

    @Bean
    PeriodicReconcile periodicReconcile(Reconciler reconciler, GdaProperties props) {
        return new PeriodicReconcile(reconciler, props.reconcile().period());
    }
}
