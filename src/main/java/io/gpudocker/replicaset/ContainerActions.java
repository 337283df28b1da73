package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.ExecResult;
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

    public ContainerActions(ReplicaSetRepository repo, ContainerEngine engine, NameLocks locks, Duration execTimeout) {
        this.repo = repo;
        this.engine = engine;
        this.locks = locks;
        this.execTimeout = execTimeout;
    }

    /** Runs without the name lock: a long command must not hold up updates, and it only reads the record. */
    public ReplicaSetViews.ExecuteResult execute(String name, ReplicaSetRequests.Execute req) {
        ReplicaSetRecord record = repo.require(name).record();
        ContainerView c = engine.inspect(record.containerName()).filter(ContainerView::running).orElseThrow(() -> ApiException.of(
                ErrorCode.INVALID_STATE, "replicaset '%s' is %s; commands run only in a running container", name, record.state().name().toLowerCase()));
        try {
            ExecResult r = engine.exec(c.id(), req.workDir(), req.cmd(), execTimeout);
            log.info("replicaset {}: executed {} in {} -> exit {}{}", name, req.cmd(), c.name(), r.exitCode(), r.timedOut() ? " (timed out)" : "");
            return new ReplicaSetViews.ExecuteResult(r.stdout(), r.exitCode(), r.timedOut());
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, ErrorCode.CONTAINER_EXECUTE_FAILED, ErrorCode.INVALID_STATE, "execute in replicaset '" + name + "'");
        }
    }

    /** Saves the current container's system disk (not its volumes) as an image. */
    public ReplicaSetViews.CommitResult commit(String name, ReplicaSetRequests.Commit req) {
        try (var held = locks.lock(name)) {
            ReplicaSetRecord record = repo.require(name).record();
            ContainerView c = engine.inspect(record.containerName()).orElseThrow(() -> ApiException.of(ErrorCode.INVALID_STATE,
                    "container %s of replicaset '%s' is gone; nothing to commit", record.containerName(), name));
            try {
                String id = engine.commit(c.id(), req.newImageName());
                log.info("replicaset {}: container {} committed as image {} ({})", name, c.name(), req.newImageName(), id);
                return new ReplicaSetViews.CommitResult(req.newImageName(), id);
            } catch (RuntimeException e) {
                throw EngineErrors.translate(e, ErrorCode.CONTAINER_COMMIT_FAILED, ErrorCode.INVALID_STATE, "commit replicaset '" + name + "'");
            }
        }
    }

    /** Copies a container's output to {@code out}; the container was found by {@link ReplicaSetQueries#logsContainer}. */
    public void streamLogs(String container, int tail, boolean follow, OutputStream out) {
        engine.logs(container, tail, follow, out);
    }
}
