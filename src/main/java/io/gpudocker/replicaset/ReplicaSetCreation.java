package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.MemorySizeValidator;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Usage;
import io.gpudocker.replicaset.HoldingsReservations.Reservation;
import io.gpudocker.replicaset.ReplicaSetViews.Created;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.store.IntentScope;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.common.PhaseTimes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a replicaset and starts its version 1. The record is written in one transaction with what it holds,
 * after the container runs; a failure removes the container and releases what was reserved, unless the record
 * may have been written (then both stay, for the reconcile to settle).
 */
public class ReplicaSetCreation {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetCreation.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final GpuScheduler gpus;
    private final HoldingsReservations reservations;
    private final NameLocks locks;
    private final Intents operations;
    private final boolean initByDefault;
    private final TenantCeilings ceilings;
    private final QuotaLedger quotas;
    private final MeterRegistry metrics;

    /** @param initByDefault whether an instance created without saying runs Docker's init as PID 1 */
    public ReplicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                              GpuScheduler gpus, HoldingsReservations reservations, NameLocks locks, Intents operations,
                              boolean initByDefault) {
        this(repo, engine, containers, gpus, reservations, locks, operations, initByDefault, TenantCeilings.NONE);
    }

    public ReplicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                              GpuScheduler gpus, HoldingsReservations reservations, NameLocks locks, Intents operations,
                              boolean initByDefault, TenantCeilings ceilings) {
        this(repo, engine, containers, gpus, reservations, locks, operations, initByDefault, ceilings, null);
    }

    /** @param quotas the tenants' quotas a create is checked against before it reserves anything; null: none */
    public ReplicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                              GpuScheduler gpus, HoldingsReservations reservations, NameLocks locks, Intents operations,
                              boolean initByDefault, TenantCeilings ceilings, QuotaLedger quotas) {
        this(repo, engine, containers, gpus, reservations, locks, operations, initByDefault, ceilings, quotas, null);
    }

    /** @param metrics where each create's phases are timed ({@link CreatePhases}); null: logged only */
    public ReplicaSetCreation(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                              GpuScheduler gpus, HoldingsReservations reservations, NameLocks locks, Intents operations,
                              boolean initByDefault, TenantCeilings ceilings, QuotaLedger quotas, MeterRegistry metrics) {
        this.metrics = metrics;
        this.quotas = quotas;
        this.ceilings = ceilings;
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.gpus = gpus;
        this.reservations = reservations;
        this.locks = locks;
        this.operations = operations;
        this.initByDefault = initByDefault;
    }

    public Created create(ReplicaSetRequests.Create req, Caller caller) {
        PhaseTimes<CreatePhases> phases = CreatePhases.start();
        String name = req.replicaSetName();
        ReplicaSetSpec spec = new ReplicaSetSpec(req.imageName(), SpecValidator.gpuCount(req.gpuCount(), gpus.total()),
                req.binds(), req.env(), req.cmd(), SpecValidator.containerPorts(req.containerPorts()),
                req.cpuCount(), MemorySizeValidator.bytes(req.memory(), "memory"), MemorySizeValidator.bytes(req.shmSize(), "shmSize"),
                req.init() == null ? initByDefault : req.init());
        ceilings.check(spec, caller, TenantCeilings.Fields.CREATE);
        if (quotas != null) {
            // the GPUs and the instance, before anything is reserved or made; the full check (cores and memory as granted
            // too) rides in the commit, where two creates of the tenant cannot both pass (ReplicaSetQuotaHook)
            quotas.precheck(caller.tenantName(), new Usage(spec.gpuCount(), 1, 0, 0, 0, 0), Map.of());
        }
        try (var held = locks.lock(name)) {
            if (repo.find(name).isPresent()) {
                throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists", name).onField("replicaSetName");
            }
            containers.requireRunnable(spec, caller.tenantName(), "imageName");
            phases.lap(CreatePhases.VALIDATE);
            Reservation reservation = reservations.reserve(name, spec);
            ReplicaSetVersion first = firstVersion(name, spec, reservation);
            phases.lap(CreatePhases.PLACE);
            run(first, caller.tenantName(), reservation, phases);
            phases.publish(metrics);
            log.info("replicaset {} created for {}: container {}, image {}, GPUs {}, ports {}, {} ({})", name, caller.tenantName(), first.containerName(),
                    spec.image(), first.gpus(), first.ports(), ComputeText.of(first), phases.summary());
            return new Created(first.containerName(), name, 1, first.gpus(), first.ports());
        }
    }

    private static ReplicaSetVersion firstVersion(String name, ReplicaSetSpec spec, Reservation reservation) {
        Holdings h = reservation.holdings();
        return new ReplicaSetVersion(name, 1, ReplicaSetRecord.containerName(name, 1), Instant.now(), "create", spec, h.gpus(), h.ports(),
                h.cores(), h.memory(), reservation.shmSize());
    }

    /** Creates and starts the container, then records it; on failure takes back everything this call made. */
    private void run(ReplicaSetVersion first, String tenant, Reservation reservation, PhaseTimes<CreatePhases> phases) {
        String name = first.replicaSet();
        ReplicaSetRecord record = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, first.gpus(), first.ports(), first.createTime(), first.createTime(),
                tenant, first.cpus(), first.memory(), repo.localNode(), first.spec().image());
        try {
            // the intent first: a crash after the create leaves a container the reconcile can prove uncommitted
            IntentScope.run(operations, Intent.start(Intent.REPLICASET, "create", name, 1), scope -> {
                phases.lap(CreatePhases.INTENT);
                engine.create(containers.specOf(first, tenant, scope.id()));
                scope.undo(() -> engine.remove(first.containerName()));
                phases.lap(CreatePhases.CREATE);
                engine.start(first.containerName(), () -> phases.lap(CreatePhases.PROGRAM_CHECK));
                phases.lap(CreatePhases.START);
                repo.create(record, first, scope.intent());
                phases.lap(CreatePhases.RECORD);
            });
        } catch (RuntimeException e) {
            Undo.after(e, reservation::undo);
            throw EngineErrors.translate(e, ErrorCode.CONTAINER_RUN_FAILED, ErrorCode.REPLICASET_EXISTS, "create replicaset '" + name + "'");
        }
    }
}
