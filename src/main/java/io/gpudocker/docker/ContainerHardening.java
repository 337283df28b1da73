package io.gpudocker.docker;

import com.github.dockerjava.api.model.HostConfig;
import java.util.List;

/**
 * What every container this service creates gets, whatever its spec says: not privileged, no gaining
 * privileges through setuid binaries, and a ceiling on its processes so one instance cannot exhaust the
 * host's. Nothing a spec can carry adds capabilities or joins a host namespace, so Docker's defaults hold
 * for those: the default capability set, and the container's own network, PID and IPC namespaces.
 *
 * @param pidsLimit the most processes and threads one container may run
 */
public record ContainerHardening(long pidsLimit) {
    public static final String NO_NEW_PRIVILEGES = "no-new-privileges";

    public HostConfig applyTo(HostConfig hostConfig) {
        return hostConfig
                .withPrivileged(false)
                .withSecurityOpts(List.of(NO_NEW_PRIVILEGES))
                .withPidsLimit(pidsLimit);
    }
}
