package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerProcess;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of SSH sessions: started in the container where this node runs the instance, else on the node that
 * runs it, through {@link AccessHop} (as the console's terminal is relayed), so a login through any node of a cluster
 * lands in the instance.
 */
public class ProcessHop {
    private static final Logger log = LoggerFactory.getLogger(ProcessHop.class);

    /** Starts processes in one instance for one session. */
    @FunctionalInterface
    interface Launcher {
        ContainerProcess start(RemoteProcess.Spec spec) throws java.io.IOException;
    }

    private final InstanceAccess access;
    private final ContainerEngine engine;
    private final AccessHop hop;

    public ProcessHop(InstanceAccess access, ContainerEngine engine, AccessHop hop) {
        this.access = access;
        this.engine = engine;
        this.hop = hop;
    }

    /** Where the session's processes run: refused (with why and what to do) where the instance is not running. */
    Launcher launcher(SshLogin login) {
        Optional<AccessHop.Peer> owner = hop.owner(login.replicaSet());
        if (owner.isPresent()) {
            AccessHop.Peer peer = owner.get();
            log.debug("ssh: instance {} runs on node {}: its processes start there", login.replicaSet(), peer.node());
            return spec -> RemoteProcess.start(hop, peer, login.replicaSet(), login.caller(), spec);
        }
        String container = access.running(login.replicaSet(), login.caller()).container();
        return spec -> engine.startProcess(container, spec.cmd(), spec.tty(), spec.env(), spec.columns(), spec.rows());
    }

    AccessHop hop() {
        return hop;
    }

    Optional<Caller> carried(HttpServletRequest request) {
        return hop.carried(request);
    }

    /** Runs a process another node asked for, and joins it to that node's connection. */
    void start(String name, RemoteProcess.Spec spec, Caller caller, HttpServletRequest request, HttpServletResponse response)
            throws java.io.IOException, ServletException {
        if (!ProcessFrames.PROTOCOL.equalsIgnoreCase(request.getHeader("Upgrade"))) {
            throw ApiException.of(ErrorCode.INVALID_STATE, "a process is carried over a connection switched to %s", ProcessFrames.PROTOCOL);
        }
        String container = access.running(name, caller).container();
        ContainerProcess process = engine.startProcess(container, spec.cmd(), spec.tty(), spec.env(), spec.columns(), spec.rows());
        try {
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            response.setHeader("Upgrade", ProcessFrames.PROTOCOL);
            response.setHeader("Connection", "Upgrade");
            request.upgrade(ProcessTunnel.class).attach(process, name);
        } catch (java.io.IOException | ServletException | RuntimeException e) {
            process.close();
            throw e;
        }
    }
}
