package io.gpudocker.resource.gpu;

/** A process holding memory on a GPU, as nvidia-smi lists compute applications; {@code usedMemoryMiB} null where unknown. */
public record GpuProcess(long pid, String gpuUuid, Long usedMemoryMiB, String name) {}
