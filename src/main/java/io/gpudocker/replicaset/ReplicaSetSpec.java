package io.gpudocker.replicaset;

import io.gpudocker.replicaset.bind.Bind;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * What the user asked for; every version keeps its own copy. {@code cpuCount}, {@code memory} and
 * {@code shmSize} (bytes) are null where the user asked for nothing: the operator's default share then applies,
 * worked out afresh for each version (so a default share follows the GPU count); 0 means none (unpinned,
 * no limit, Docker's default shared memory).
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
        @Schema(description = "CPU cores asked for; null: the default share", example = "8") Integer cpuCount,
        @Schema(description = "memory limit asked for, bytes; null: the default share, 0: no limit", example = "34359738368") Long memory,
        @Schema(description = "/dev/shm size asked for, bytes; null: the default, 0: Docker's", example = "8589934592") Long shmSize,
        Boolean init) {

    public ReplicaSetSpec {
        binds = binds == null ? List.of() : List.copyOf(binds);
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        containerPorts = containerPorts == null ? List.of() : List.copyOf(containerPorts);
        init = Boolean.TRUE.equals(init);
    }

    /** A spec that asks for no CPU or memory of its own (the defaults apply), without Docker's init. */
    public ReplicaSetSpec(String image, int gpuCount, List<Bind> binds, List<String> env, List<String> cmd, List<String> containerPorts) {
        this(image, gpuCount, binds, env, cmd, containerPorts, null, null, null, false);
    }

    public ReplicaSetSpec withGpuCount(int count) {
        return new ReplicaSetSpec(image, count, binds, env, cmd, containerPorts, cpuCount, memory, shmSize, init);
    }

    public ReplicaSetSpec withBinds(List<Bind> newBinds) {
        return new ReplicaSetSpec(image, gpuCount, newBinds, env, cmd, containerPorts, cpuCount, memory, shmSize, init);
    }

    public ReplicaSetSpec withCpuCount(Integer count) {
        return new ReplicaSetSpec(image, gpuCount, binds, env, cmd, containerPorts, count, memory, shmSize, init);
    }

    public ReplicaSetSpec withMemory(Long bytes) {
        return new ReplicaSetSpec(image, gpuCount, binds, env, cmd, containerPorts, cpuCount, bytes, shmSize, init);
    }
}
