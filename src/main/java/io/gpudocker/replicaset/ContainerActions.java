package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.ExecResult;
import io.gpudocker.image.ImageOwnership;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a user does with the container itself, without changing its version: run a command, save it as an image, read its output. */
public class ContainerActions {
    private static final Logger log = LoggerFactory.getLogger(ContainerActions.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final NameLocks locks;
    private final Duration execTimeout;
    private final String owner;
    private final FollowSlots follows;
    private final Duration followIdleTimeout;
    private final SessionSlots executes;
    private final ImageCommitQuota images;

    /** Starts the response and hands over its body; called only once a followed log has its slot. */
    @FunctionalInterface
    public interface LogOutput {
        OutputStream open() throws IOException;
    }

    public ContainerActions(ReplicaSetRepository repo, ContainerEngine engine, NameLocks locks, Duration execTimeout, String owner,
                            FollowSlots follows, Duration followIdleTimeout, SessionSlots executes) {
        this(repo, engine, locks, execTimeout, owner, follows, followIdleTimeout, executes, null);
    }

    /** @param images the tenants' quota on committed images; null: none */
    public ContainerActions(ReplicaSetRepository repo, ContainerEngine engine, NameLocks locks, Duration execTimeout, String owner,
                            FollowSlots follows, Duration followIdleTimeout, SessionSlots executes, ImageCommitQuota images) {
        this.images = images;
        this.executes = executes;
        this.owner = owner;
        this.follows = follows;
        this.followIdleTimeout = followIdleTimeout;
        this.repo = repo;
        this.engine = engine;
        this.locks = locks;
        this.execTimeout = execTimeout;
    }

    /**
     * Runs without the name lock: a long command must not hold up updates, and it only reads the record. Each
     * running command holds one of the caller's slots, so a tenant cannot pile up execs and threads.
     */
    public ReplicaSetViews.ExecuteResult execute(String name, ReplicaSetRequests.Execute req, Caller caller) {
        ReplicaSetRecord record = repo.require(name, caller).record();
        ContainerDetail c = engine.inspect(record.containerName()).filter(ContainerDetail::running).orElseThrow(() -> ApiException.of(
                ErrorCode.INVALID_STATE, "replicaset '%s' is %s; commands run only in a running container", name, record.state().name().toLowerCase()));
        try (SessionSlots.Slot slot = executes.acquire(caller)) {
            ExecResult r = engine.exec(c.id(), req.workDir(), req.cmd(), execTimeout);
            // the command itself may carry secrets: only at debug
            log.debug("replicaset {}: executed {} in {}", name, req.cmd(), c.name());
            log.info("replicaset {}: executed a command in {} -> exit {}{}", name, c.name(), r.exitCode(), r.timedOut() ? " (timed out)" : "");
            return new ReplicaSetViews.ExecuteResult(r.stdout(), r.exitCode(), r.timedOut());
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, ErrorCode.CONTAINER_EXECUTE_FAILED, ErrorCode.INVALID_STATE, "execute in replicaset '" + name + "'");
        }
    }

    /** Saves the current container's system disk (not its volumes) as an image. */
    public ReplicaSetViews.CommitResult commit(String name, ReplicaSetRequests.Commit req, Caller caller) {
        try (var held = locks.lock(name)) {
            ReplicaSetRecord record = repo.require(name, caller).record();
            requireOwnImageName(req.newImageName(), record, caller);
            ContainerDetail c = engine.inspect(record.containerName()).orElseThrow(() -> ApiException.of(ErrorCode.INVALID_STATE,
                    "container %s of replicaset '%s' is gone; nothing to commit", record.containerName(), name));
            try {
                String id = images == null ? engine.commit(c.id(), req.newImageName())
                        : images.commit(record.tenant(), req.newImageName(), caller, () -> engine.commit(c.id(), req.newImageName()));
                log.info("replicaset {}: container {} committed as image {} ({})", name, c.name(), req.newImageName(), id);
                return new ReplicaSetViews.CommitResult(req.newImageName(), id);
            } catch (RuntimeException e) {
                throw EngineErrors.translate(e, ErrorCode.CONTAINER_COMMIT_FAILED, ErrorCode.INVALID_STATE, "commit replicaset '" + name + "'");
            }
        }
    }

    /**
     * A tenant commits only under its own namespace, so its image never takes a name another caller creates from (a
     * base image present or pulled later); and it may replace only an image that a commit of the same tenant made (its
     * labels say so), never one that instances may be running from. The namespace is checked first, without asking
     * Docker, so a refused name tells nothing about which images exist.
     */
    private void requireOwnImageName(String image, ReplicaSetRecord record, Caller caller) {
        if (!ImageOwnership.inNamespace(image, caller)) {
            throw ApiException.of(ErrorCode.IMAGE_NOT_YOURS, "image name '%s' is outside your namespace; commit as %s<name>:<tag>",
                    image, ImageOwnership.namespace(caller.tenantName()));
        }
        engine.imageLabels(image).ifPresent(labels -> {
            if (!ImageOwnership.replaceable(labels, owner, record.tenant())) {
                throw ApiException.of(ErrorCode.IMAGE_NOT_YOURS,
                        "image '%s' exists and was not committed by this tenant; choose another name or tag", image);
            }
        });
    }

    /**
     * Copies a container's output to the response; the container was found by {@link ReplicaSetQueries#logsContainer}.
     * A followed log first takes one of the caller's slots (or is refused with 429 before anything is written) and
     * gives it back however it ends: the client left, the container stopped, or no output came for the idle timeout.
     */
    public void streamLogs(String container, int tail, boolean follow, Caller caller, LogOutput output) throws IOException {
        try (FollowSlots.Slot slot = follow ? follows.acquire(caller.tenantName()) : null) {
            engine.logs(container, tail, follow, followIdleTimeout, output.open());
        }
        if (follow) {
            log.debug("followed log of {} for {} ended", container, caller.name());
        }
    }
}
