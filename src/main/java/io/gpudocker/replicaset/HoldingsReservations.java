package io.gpudocker.replicaset;

import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reserves what a version holds in the in-memory schedulers (GPUs, host ports, CPU cores and memory) in one
 * step, all of it or, when one scheduler refuses, none; the {@link Reservation} it returns gives back what it
 * added if the operation fails. A new resource is one more step in {@link #reserve}.
 */
public class HoldingsReservations {
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final ComputeAllocator compute;

    public HoldingsReservations(GpuScheduler gpus, PortScheduler ports, ComputeAllocator compute) {
        this.gpus = gpus;
        this.ports = ports;
        this.compute = compute;
    }

    /** What version 1 of a new replicaset holds. */
    public Reservation reserve(String name, ReplicaSetSpec spec) {
        return reserve(name, spec, Holdings.NONE, false, List.of());
    }

    /**
     * What version N+1 holds: it keeps what the replicaset holds and adds what the target needs. After a stop it
     * holds none, so it asks for the ports the current version had: the user's SSH port survives where it can.
     */
    public Reservation reserve(String name, ReplicaSetSpec target, ReplicaSetRecord record, ReplicaSetVersion current) {
        if (record.state().holdsResources()) {
            return reserve(name, target, record.holdings(), true, List.of());
        }
        List<Integer> wanted = target.containerPorts().stream().map(p -> current.ports().get(p)).filter(Objects::nonNull).toList();
        return reserve(name, target, Holdings.NONE, false, wanted);
    }

    /**
     * What a version moved in from another node holds here: the target's GPU count, cores and memory, and host ports,
     * the numbers it had there where they are free here ({@code wantedPorts}), else others.
     */
    public Reservation reserveArriving(String name, ReplicaSetSpec spec, List<Integer> wantedPorts) {
        return reserve(name, spec, Holdings.NONE, false, wantedPorts);
    }

    /** Everything the record holds goes back (stop, delete). */
    public void release(ReplicaSetRecord record) {
        gpus.release(record.name(), record.gpus());
        ports.release(record.name(), record.ports().values());
        compute.release(record);
    }

    private Reservation reserve(String name, ReplicaSetSpec target, Holdings held, boolean keepPorts, List<Integer> wantedPorts) {
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            List<String> newGpus = gpus.reserve(name, held.gpus(), target.gpuCount());
            List<String> addedGpus = newGpus.stream().filter(g -> !held.gpus().contains(g)).toList();
            undo.push(() -> gpus.release(name, addedGpus));
            Map<String, Integer> portMap = held.ports();
            if (!keepPorts) {
                List<Integer> addedPorts = ports.reserve(name, target.containerPorts().size(), wantedPorts);
                undo.push(() -> ports.release(name, addedPorts));
                portMap = ReplicaSetVersion.portMap(target.containerPorts(), addedPorts);
            }
            ComputeAllocator.Grant grant = compute.reserve(name, target, newGpus, held.cores());
            undo.push(() -> compute.undo(name, grant));
            List<String> droppedGpus = held.gpus().stream().filter(g -> !newGpus.contains(g)).toList();
            Runnable settle = () -> {
                gpus.release(name, droppedGpus);
                compute.settle(name, held.cores(), grant);
            };
            return new Reservation(held, new Holdings(newGpus, portMap, grant.cpus(), grant.memory()), grant.shmSize(), List.copyOf(undo), settle);
        } catch (RuntimeException e) {
            undo.forEach(Runnable::run);
            throw e;
        }
    }

    /** What a version is given, and how to take it back. */
    public static final class Reservation {
        private final Holdings held;
        private final Holdings holdings;
        private final long shmSize;
        private final List<Runnable> undoSteps;
        private final Runnable settleStep;

        private Reservation(Holdings held, Holdings holdings, long shmSize, List<Runnable> undoSteps, Runnable settleStep) {
            this.held = held;
            this.holdings = holdings;
            this.shmSize = shmSize;
            this.undoSteps = undoSteps;
            this.settleStep = settleStep;
        }

        /** What the replicaset held before. */
        public Holdings held() { return held; }

        /** What the version holds. */
        public Holdings holdings() { return holdings; }

        /** Its /dev/shm size in bytes (0: Docker's default). */
        public long shmSize() { return shmSize; }

        /** The operation failed: what this reservation added goes back; what was held before stays held. */
        public void undo() {
            undoSteps.forEach(Runnable::run);
        }

        /** The version is recorded: what was held before and is not kept goes back. */
        public void settle() {
            settleStep.run();
        }
    }
}
