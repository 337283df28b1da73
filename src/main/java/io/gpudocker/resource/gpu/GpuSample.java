package io.gpudocker.resource.gpu;

/**
 * One reading of one GPU; each figure is null where the driver could not give it.
 *
 * @param utilizationPercent the share of the last sample period in which a kernel ran (nvidia-smi's utilization.gpu)
 * @param powerWatts         the board's draw at the reading
 */
public record GpuSample(String uuid, Integer utilizationPercent, Long memoryUsedMiB, Long memoryTotalMiB, Integer temperatureCelsius,
                        Double powerWatts) {}
