package io.gpudocker.telemetry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One instance's figures over time: the recent samples at the sampling period, and one-minute averages for longer.
 * A minute's average is added once the first sample of a later minute arrives.
 */
final class InstanceSeries {
    private final SampleRing<InstancePoint> recent;
    private final SampleRing<InstancePoint> minutes;
    private final List<InstancePoint> minute = new ArrayList<>();
    private volatile InstanceFigures latest;

    InstanceSeries(int recentSamples, int dailyMinutes) {
        this.recent = new SampleRing<>(recentSamples, InstancePoint::at);
        this.minutes = new SampleRing<>(dailyMinutes, InstancePoint::at);
    }

    synchronized void add(InstanceFigures figures, InstancePoint point) {
        latest = figures;
        recent.add(point);
        Instant bucket = point.at().truncatedTo(ChronoUnit.MINUTES);
        if (!minute.isEmpty() && !minute.get(0).at().truncatedTo(ChronoUnit.MINUTES).equals(bucket)) {
            minutes.add(average(minute));
            minute.clear();
        }
        minute.add(point);
    }

    InstanceFigures latest() { return latest; }

    List<InstancePoint> recent(Instant since) { return recent.since(since); }

    List<InstancePoint> minutes(Instant since) { return minutes.since(since); }

    /** When the last sample was taken; null before the first. */
    Instant lastAt() {
        InstancePoint p = recent.last();
        return p == null ? null : p.at();
    }

    /** The minute's average, stamped with the minute's start; a figure no sample had stays null. */
    static InstancePoint average(List<InstancePoint> points) {
        Instant at = points.get(0).at().truncatedTo(ChronoUnit.MINUTES);
        Double mem = mean(points, p -> p.memoryBytes() == null ? null : p.memoryBytes().doubleValue());
        Double gpuMem = mean(points, p -> p.gpuMemoryUsedMiB() == null ? null : p.gpuMemoryUsedMiB().doubleValue());
        return new InstancePoint(at, mean(points, InstancePoint::cpuPercent), mem == null ? null : Math.round(mem),
                mean(points, InstancePoint::gpuUtilizationPercent), gpuMem == null ? null : Math.round(gpuMem));
    }

    private static Double mean(List<InstancePoint> points, Function<InstancePoint, Double> figure) {
        List<Double> values = points.stream().map(figure).filter(Objects::nonNull).toList();
        return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
