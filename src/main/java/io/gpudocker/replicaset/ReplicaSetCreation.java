package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.MemorySizeValidator;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.replicaset.ReplicaSetViews.Created;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.Operation;
import io.gpudocker.store.Operations;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a replicaset and starts its version 1. The record is written in one transaction with the GPUs and
 * ports it takes, after the container runs; a failure removes the container and releases what was reserved,
 * unless the record may have been written (then both stay, for the reconcile to settle).
 */
public class ReplicaSetCreation {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetCreation.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final NameLocks locks;
    private final Operations operations;
    private final ComputeAllocator compute;
    private final boolean initByDefault;

    /** @param initByDefault whether an instance created without saying runs Docker's init as PID 1 */
    public ReplicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                              GpuScheduler gpus, PortScheduler ports, NameLocks locks, Operations operations, ComputeAllocator compute,
                              boolean initByDefault) {
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.gpus = gpus;
        this.ports = ports;
        this.locks = locks;
        this.operations = operations;
        this.compute = compute;
        this.initByDefault = initByDefault;
    }

    public Created create(ReplicaSetRequests.Create req, Caller caller) {
        String name = req.replicaSetName();
        ReplicaSetSpec spec = new ReplicaSetSpec(req.imageName(), SpecValidator.gpuCount(req.gpuCount(), gpus.total()),
                req.binds(), req.env(), req.cmd(), SpecValidator.containerPorts(req.containerPorts()),
                req.cpuCount(), MemorySizeValidator.bytes(req.memory(), "memory"), MemorySizeValidator.bytes(req.shmSize(), "shmSize"),
                req.init() == null ? initByDefault : req.init());
        try (var held = locks.lock(name)) {
            if (repo.find(name).isPresent()) {
                throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists", name);
            }
            containers.requireRunnable(spec, caller.tenantName());
            List<String> gpuIds = gpus.reserve(name, List.of(), spec.gpuCount());
            Map<String, Integer> portMap;
            ComputeAllocator.Grant grant;
            try {
                portMap = ReplicaSetVersion.portMap(spec.containerPorts(), ports.reserve(name, spec.containerPorts().size(), List.of()));
            } catch (RuntimeException e) {
                gpus.release(name, gpuIds);
                throw e;
            }
            try {
                grant = compute.reserve(name, spec, gpuIds, List.of());
            } catch (RuntimeException e) {
                gpus.release(name, gpuIds);
                ports.release(name, portMap.values());
                throw e;
            }
            ReplicaSetVersion first = firstVersion(name, spec, gpuIds, portMap, grant);
            run(first, caller.tenantName(), grant);
            log.info("replicaset {} created for {}: container {}, image {}, GPUs {}, ports {}, {}", name, caller.tenantName(), first.containerName(),
                    spec.image(), gpuIds, portMap, ComputeText.of(first));
            return new Created(first.containerName(), name, 1, gpuIds, portMap);
        }
    }

    private static ReplicaSetVersion firstVersion(String name, ReplicaSetSpec spec, List<String> gpuIds, Map<String, Integer> portMap,
                                                  ComputeAllocator.Grant grant) {
        return new ReplicaSetVersion(name, 1, ReplicaSetRecord.containerName(name, 1), Instant.now(), "create", spec, gpuIds, portMap,
                grant.cpus(), grant.memory(), grant.shmSize());
    }

    /** Creates and starts the container, then records it; on failure takes back everything this call made. */
    private void run(ReplicaSetVersion first, String tenant, ComputeAllocator.Grant grant) {
        String name = first.replicaSet();
        ReplicaSetRecord record = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, first.gpus(), first.ports(), first.createTime(), first.createTime(),
                tenant, first.cpus(), first.memory(), repo.localNode());
        Operation op = null;
        boolean created = false;
        try {
            // the intent first: a crash after the create leaves a container the reconcile can prove uncommitted
            op = operations.begin(Operation.start(Operation.REPLICASET, "create", name, 1));
            engine.create(containers.specOf(first, tenant, op.id()));
            created = true;
            engine.start(first.containerName());
            repo.create(record, first, op);
        } catch (RuntimeException e) {
            if (created) {
                Undo.after(e, () -> engine.remove(first.containerName()));
            }
            Operation begun = op;
            Undo.after(e, () -> {
                if (begun != null) {
                    Undo.quietly(() -> operations.drop(begun));
                }
                gpus.release(name, first.gpus());
                ports.release(name, first.ports().values());
                compute.undo(name, grant);
            });
            throw EngineErrors.translate(e, ErrorCode.CONTAINER_RUN_FAILED, ErrorCode.REPLICASET_EXISTS, "create replicaset '" + name + "'");
        }
    }
}
