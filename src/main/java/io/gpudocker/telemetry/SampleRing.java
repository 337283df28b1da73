package io.gpudocker.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The last {@code capacity} points of a series, oldest first; a full ring drops its oldest point for each new one. */
final class SampleRing<T> {
    private final Object[] points;
    private final Function<T, Instant> at;
    private int start;
    private int size;

    SampleRing(int capacity, Function<T, Instant> at) {
        this.points = new Object[capacity];
        this.at = at;
    }

    synchronized void add(T point) {
        if (size < points.length) {
            points[(start + size++) % points.length] = point;
        } else {
            points[start] = point;
            start = (start + 1) % points.length;
        }
    }

    /** The points taken at or after {@code since} (every point when null), oldest first. */
    @SuppressWarnings("unchecked")
    synchronized List<T> since(Instant since) {
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            T p = (T) points[(start + i) % points.length];
            if (since == null || !at.apply(p).isBefore(since)) {
                out.add(p);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    synchronized T last() {
        return size == 0 ? null : (T) points[(start + size - 1) % points.length];
    }

    synchronized int size() { return size; }
}
