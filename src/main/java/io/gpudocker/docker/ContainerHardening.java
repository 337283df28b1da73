package io.gpudocker.docker;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import java.util.List;

/**
 * What every container this service creates gets, whatever its spec says: not privileged, no gaining
 * privileges through setuid binaries, a ceiling on its processes so one instance cannot exhaust the host's,
 * and without the capabilities of Docker's default set that ordinary images do not need. Nothing a spec can
 * carry adds capabilities or joins a host namespace.
 *
 * @param pidsLimit the most processes and threads one container may run
 * @param capDrop   capabilities taken from Docker's default set; empty keeps Docker's defaults
 */
public record ContainerHardening(long pidsLimit, List<Capability> capDrop) {
    public static final String NO_NEW_PRIVILEGES = "no-new-privileges";

    /**
     * Device nodes (a root inside could make one for the host's disk on a bind), raw sockets (spoofing on the
     * bridge) and file capabilities (a binary left on a bind that grants the host's root powers). apt, pip, sshd,
     * su and chroot keep working: they need only what stays.
     */
    public static final List<Capability> DEFAULT_CAP_DROP = List.of(Capability.MKNOD, Capability.NET_RAW, Capability.SETFCAP);

    public ContainerHardening {
        capDrop = List.copyOf(capDrop);
    }

    public ContainerHardening(long pidsLimit) {
        this(pidsLimit, DEFAULT_CAP_DROP);
    }

    /** @throws IllegalArgumentException naming the first entry that is no capability Docker knows */
    public static List<Capability> capabilities(List<String> names) {
        return names.stream().flatMap(n -> java.util.Arrays.stream(n.split(","))).map(String::trim).filter(n -> !n.isEmpty()).map(n -> {
            String bare = n.toUpperCase(java.util.Locale.ROOT).replaceFirst("^CAP_", "");
            try {
                return Capability.valueOf(bare);
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException("gda.containers.cap-drop: '" + n + "' is not a Linux capability Docker knows, e.g. MKNOD, NET_RAW");
            }
        }).toList();
    }

    public HostConfig applyTo(HostConfig hostConfig) {
        HostConfig hardened = hostConfig
                .withPrivileged(false)
                .withSecurityOpts(List.of(NO_NEW_PRIVILEGES))
                .withPidsLimit(pidsLimit);
        return capDrop.isEmpty() ? hardened : hardened.withCapDrop(capDrop.toArray(Capability[]::new));
    }
}
