package io.gpudocker.docker;

import java.util.List;
import java.util.Map;

/**
 * Everything needed to create one container version.
 *
 * @param binds        "src:dest" pairs; src is a host path (starting with /) or a volume name
 * @param gpuUuids     GPUs given through a device request; empty means cardless
 * @param portBindings container port ("22/tcp") to host port
 * @param cpusetCpus   the cores it is pinned to, Docker's notation ("0-3,8"); empty: unpinned
 * @param memory       hard memory limit in bytes, swap included (no swap beyond it); 0: no limit
 * @param shmSize      size of /dev/shm in bytes; 0: Docker's default
 * @param init         whether Docker's init (tini) runs as PID 1 and starts {@code cmd} as its child
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> cmd,
        List<String> env,
        List<String> binds,
        List<String> gpuUuids,
        Map<String, Integer> portBindings,
        Map<String, String> labels,
        String cpusetCpus,
        long memory,
        long shmSize,
        boolean init) {

    /** A container as Docker makes it by default: no pinned cores, memory limit, shared memory size or init of its own. */
    public ContainerSpec(String name, String image, List<String> cmd, List<String> env, List<String> binds, List<String> gpuUuids,
                         Map<String, Integer> portBindings, Map<String, String> labels) {
        this(name, image, cmd, env, binds, gpuUuids, portBindings, labels, "", 0, 0, false);
    }
}
