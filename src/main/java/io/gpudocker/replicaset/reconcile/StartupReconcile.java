package io.gpudocker.replicaset.reconcile;

import io.gpudocker.api.ApiException;
import io.gpudocker.common.StartPhases;
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
import org.springframework.context.SmartLifecycle;

/**
 * Reads the GPU inventory and the CPU topology afresh, runs the start-up checks (which may refuse the start) and reconciles etcd
 * with Docker before the web server opens, so no call is served from a stale view. Waits a little for etcd and Docker; fails the start with one clear line if
 * they stay unreachable.
 * <p>
 * It runs as the first lifecycle phase, not while beans are made: building the context touches neither etcd nor Docker, so
 * the class data archive of {@code make build} is recorded from a context refreshed without them
 * ({@code -Dspring.context.exit=onRefresh} ends the run before any lifecycle starts), and the web server still opens only after it.
 */
public class StartupReconcile implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(StartupReconcile.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final GpuInventoryReader inventory;
    private final Reconciler reconciler;
    private final List<StartupCheck> checks;
    private final CpuTopologyReader topology;
    private volatile boolean running;

    /** @param checks run first, in order, inside the same wait for etcd and Docker */
    public StartupReconcile(GpuInventoryReader inventory, CpuTopologyReader topology, Reconciler reconciler, List<StartupCheck> checks) {
        this.inventory = inventory;
        this.topology = topology;
        this.reconciler = reconciler;
        this.checks = List.copyOf(checks);
    }

    @Override
    public void start() {
        reconcile();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StartPhases.RECONCILE;
    }

    private void reconcile() {
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
