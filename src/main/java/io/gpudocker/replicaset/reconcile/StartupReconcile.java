package io.gpudocker.replicaset.reconcile;

import io.gpudocker.api.ApiException;
import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.cpu.CpuTopologyReader;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuInventoryReader;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Reads the GPU inventory and the CPU topology afresh, runs the start-up checks (which may refuse the start) and reconciles etcd
 * with Docker before the web server opens, so no call is served from a stale view. Waits a little for etcd and Docker; fails the start with one clear line if
 * they stay unreachable.
 */
public class StartupReconcile implements SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(StartupReconcile.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final GpuInventoryReader inventory;
    private final Reconciler reconciler;
    private final List<StartupCheck> checks;
    private final CpuTopologyReader topology;

    /** @param checks run first, in order, inside the same wait for etcd and Docker */
    public StartupReconcile(GpuInventoryReader inventory, CpuTopologyReader topology, Reconciler reconciler, List<StartupCheck> checks) {
        this.inventory = inventory;
        this.topology = topology;
        this.reconciler = reconciler;
        this.checks = List.copyOf(checks);
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<Gpu> gpus = inventory.read();
        CpuTopology cpus = topology.read(gpus.stream().map(Gpu::busId).filter(Objects::nonNull).toList());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                checks.forEach(StartupCheck::verify);
                reconciler.reconcile(gpus, cpus);
                return;
            } catch (ApiException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot start: " + e.getMessage());
                }
                log.warn("waiting for etcd and Docker before serving: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for etcd and Docker", ie);
                }
            }
        }
    }
}
