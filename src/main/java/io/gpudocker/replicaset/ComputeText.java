package io.gpudocker.replicaset;

import io.gpudocker.common.ByteSizes;
import io.gpudocker.resource.cpu.CpuList;

/** A version's cores, memory limit and shared memory in one phrase, for log lines. */
final class ComputeText {
    private ComputeText() {}

    static String of(ReplicaSetVersion v) {
        return "CPUs " + (v.cpus().isEmpty() ? "unpinned" : CpuList.format(v.cpus()))
                + ", memory " + (v.memory() == 0 ? "unlimited" : ByteSizes.format(v.memory()))
                + (v.shmSize() == 0 ? "" : ", shm " + ByteSizes.format(v.shmSize()));
    }
}
