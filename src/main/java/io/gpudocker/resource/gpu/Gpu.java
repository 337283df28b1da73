package io.gpudocker.resource.gpu;

/**
 * One GPU as nvidia-smi reports it; {@code memoryMiB} is null where the driver prints [N/A] or similar, and
 * {@code busId} (PCI, nvidia-smi's notation, e.g. {@code 00000000:3B:00.0}) where it prints none.
 */
public record Gpu(int index, String uuid, String model, Long memoryMiB, String busId) {
    public Gpu(int index, String uuid, String model, Long memoryMiB) {
        this(index, uuid, model, memoryMiB, null);
    }
}
