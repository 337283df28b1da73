package io.gpudocker.replicaset.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The exits the reconcile has seen and not yet believed. A Docker shutting down still answers after it has
 * stopped the containers: an exit counts as the process's own only once a later look, the grace on, finds
 * the same daemon and the same exit.
 */
final class ExitSightings {

    /** One exit of one container, as seen under one daemon start. */
    record Sighting(String containerId, Instant finishedAt, Instant dockerStarted) { }

    /** How far a sighting has come: seen for the first time now, seen within the grace, or seen beyond it. */
    enum Status { NEW, WITHIN_GRACE, OUTLASTED_GRACE }

    private final Map<Sighting, Long> firstSeen = new ConcurrentHashMap<>();
    private final Duration grace;
    private final LongSupplier nanoClock;

    /** @param grace how long an exit must stay as first seen before it counts as the process's own */
    ExitSightings(Duration grace) {
        this(grace, System::nanoTime);
    }

    ExitSightings(Duration grace, LongSupplier nanoClock) {
        this.grace = grace;
        this.nanoClock = nanoClock;
    }

    Status status(Sighting s) {
        Long first = firstSeen.get(s);
        if (first == null) {
            return Status.NEW;
        }
        return nanoClock.getAsLong() - first < grace.toNanos() ? Status.WITHIN_GRACE : Status.OUTLASTED_GRACE;
    }

    void note(Sighting s) {
        firstSeen.putIfAbsent(s, nanoClock.getAsLong());
    }

    void forget(Sighting s) {
        firstSeen.remove(s);
    }

    void forgetContainer(String containerId) {
        firstSeen.keySet().removeIf(s -> s.containerId().equals(containerId));
    }
}
