package io.gpudocker.resource;

import java.util.List;

public final class ResourceViews {
    private ResourceViews() {}

    /** {@code present} is false for a GPU still held by a replicaset but gone from nvidia-smi's list. */
    public record GpuView(Integer index, String uuid, String model, Long memoryMiB, String holder, boolean present) {}

    public record Gpus(int total, int free, List<GpuView> gpus) {}

    public record PortView(int port, String holder) {}

    public record Ports(String range, int total, int free, List<PortView> used) {}
}
