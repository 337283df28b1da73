package io.gpudocker.replicaset;

import java.util.List;

/** What the user asked for; every version keeps its own copy. */
public record ReplicaSetSpec(
        String image,
        int gpuCount,
        List<Bind> binds,
        List<String> env,
        List<String> cmd,
        List<String> containerPorts) {

    public ReplicaSetSpec {
        binds = binds == null ? List.of() : List.copyOf(binds);
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
    }

    public ReplicaSetSpec withGpuCount(int count) {
        return new ReplicaSetSpec(image, count, binds, env, cmd, containerPorts);
    }

    public ReplicaSetSpec withBinds(List<Bind> newBinds) {
        return new ReplicaSetSpec(image, gpuCount, newBinds, env, cmd, containerPorts);
    }
}
