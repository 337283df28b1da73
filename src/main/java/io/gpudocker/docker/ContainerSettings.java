package io.gpudocker.docker;

import java.util.List;
import java.util.Map;

/**
 * How an existing container was made, as Docker reports it: what a container this service did not create
 * (one of the original project's) is adopted from.
 *
 * @param binds        "src:dest" pairs as Docker holds them
 * @param gpuUuids     the device IDs of its GPU device request; empty when it has none
 * @param portBindings container port ("22/tcp") to the host port bound to it
 */
public record ContainerSettings(
        String image,
        List<String> cmd,
        List<String> env,
        List<String> binds,
        List<String> gpuUuids,
        Map<String, Integer> portBindings) {

    public ContainerSettings {
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        binds = binds == null ? List.of() : List.copyOf(binds);
        gpuUuids = gpuUuids == null ? List.of() : List.copyOf(gpuUuids);
        portBindings = portBindings == null ? Map.of() : Map.copyOf(portBindings);
    }
}
