package io.gpudocker.resource.gpu;

/** One GPU as nvidia-smi reports it; {@code memoryMiB} is null where the driver prints [N/A] or similar. */
public record Gpu(int index, String uuid, String model, Long memoryMiB) {}
