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
import io.gpudocker.store.Intents;
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
    ContainerProofs containerProofs(Intents operations) {
        return new ContainerProofs(operations);
    }

    @Bean
    Sources reconcileSources(ReplicaSetRepository repo, NameLocks locks, ClusterIdentity identity, ContainerProofs proofs,
                             VersionContainers containers, ContainerEngine engine) {
        return new Sources(repo, locks, identity, proofs, new DockerLooks(containers, engine));
    }

    @Bean
    ExitSightings exitSightings(GdaProperties props) {
        return new ExitSightings(props.reconcile().exitGrace());
    }

    @Bean
    ActionRunner repairActionRunner(ContainerEngine engine, ContainerProofs proofs, ExitSightings exits) {
        return new ActionRunner(engine, new RepairAttempts(3, Duration.ofMillis(500)), proofs, exits);
    }

    @Bean
    AllocationAudit allocationAudit(ReplicaSetRepository repo, GpuScheduler gpus, PortScheduler ports, ComputeAllocator compute) {
        return new AllocationAudit(repo, gpus, ports, compute);
    }

    @Bean
    Reconciler reconciler(Sources sources, FrozenContainers frozen, ActionRunner runner, ExitSightings exits, AllocationAudit audit,
                          VersionPruner pruner) {
        return new Reconciler(sources, new ReplicaSetRepair(sources, frozen, runner, exits), new LeftoverSweep(sources, runner, audit), audit, pruner);
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
