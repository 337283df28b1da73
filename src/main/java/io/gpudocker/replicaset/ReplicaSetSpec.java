package io.gpudocker.replicaset;

import java.util.List;

/**
 * What the user asked for; every version keeps its own copy.
 *
 * @param init whether Docker's init (tini) runs as PID 1 with {@code cmd} as its child; false in versions made
 *             before the field existed, which ran without it and keep doing so (a rollback to one is exact)
 */
public record ReplicaSetSpec(
        String image,
        int gpuCount,
        List<Bind> binds,
        List<String> env,
        List<String> cmd,
        List<String> containerPorts,
        Boolean init) {

    public ReplicaSetSpec {
        binds = binds == null ? List.of() : List.copyOf(binds);
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
        init = Boolean.TRUE.equals(init);
    }

    public ReplicaSetSpec withGpuCount(int count) {
        return new ReplicaSetSpec(image, count, binds, env, cmd, containerPorts, init);
    }

    public ReplicaSetSpec withBinds(List<Bind> newBinds) {
        return new ReplicaSetSpec(image, gpuCount, newBinds, env, cmd, containerPorts, init);
    }
}
