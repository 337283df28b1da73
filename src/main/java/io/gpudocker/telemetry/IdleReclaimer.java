package io.gpudocker.telemetry;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.event.Event;
import io.gpudocker.event.EventLog;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRequests;
import io.gpudocker.replicaset.UpdatePlans;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's idle policy, applied after each telemetry pass to the instances holding GPUs: one whose GPUs' mean
 * utilization stays below the threshold is warned {@code grace} before {@code idleFor} is up (a WARN line, and
 * {@code idle} in its metrics), then notified only, dropped to cardless or stopped. A GPU without a figure counts as
 * busy: a driver that cannot tell is no reason to take a GPU away. An open exec or terminal session spares the
 * instance unless the policy says otherwise.
 */
class IdleReclaimer {
    private static final Logger log = LoggerFactory.getLogger(IdleReclaimer.class);

    /** An instance's idleness as the console and the metrics show it. */
    @Schema(name = "IdleStatus")
    record IdleStatus(@Schema(description = "below the threshold since", example = "2026-01-01T10:00:00Z") Instant idleSince,
                      @Schema(description = "when the action is due", example = "2026-01-01T10:30:00Z") Instant actionAt,
                      @Schema(description = "notify, cardless or stop", example = "cardless") String action,
                      @Schema(description = "whether the grace warning was given") boolean warned,
                      @Schema(description = "whether the action waits for an open exec or terminal session to end") boolean sparedForSession) {}

    private final int belowPercent;
    private final Duration idleFor;
    private final Duration grace;
    private final String action;
    private final boolean evenWithSessions;
    private final ContainerEngine engine;
    private final ReplicaSetLifecycle power;
    private final UpdatePlans updates;
    private final Clock clock;
    private final Map<String, IdleStatus> idle = new ConcurrentHashMap<>();
    private final EventLog events;

    IdleReclaimer(int belowPercent, Duration idleFor, Duration grace, String action, boolean evenWithSessions, ContainerEngine engine,
                  ReplicaSetLifecycle power, UpdatePlans updates, Clock clock) {
        this(belowPercent, idleFor, grace, action, evenWithSessions, engine, power, updates, clock, null);
    }

    IdleReclaimer(int belowPercent, Duration idleFor, Duration grace, String action, boolean evenWithSessions, ContainerEngine engine,
                  ReplicaSetLifecycle power, UpdatePlans updates, Clock clock, EventLog events) {
        this.events = events;
        this.belowPercent = belowPercent;
        this.idleFor = idleFor;
        this.grace = grace;
        this.action = action;
        this.evenWithSessions = evenWithSessions;
        this.engine = engine;
        this.power = power;
        this.updates = updates;
        this.clock = clock;
    }

    void afterPass(List<InstanceFigures> pass) {
        Instant now = clock.instant();
        Set<String> seen = new HashSet<>();
        for (InstanceFigures f : pass) {
            if (!idleNow(f)) {
                if (idle.remove(f.name()) != null && !f.gpus().isEmpty()) {
                    log.info("idle reclaim: {} is busy again", f.name());
                }
                continue;
            }
            seen.add(f.name());
            IdleStatus s = idle.computeIfAbsent(f.name(), n -> new IdleStatus(now, now.plus(idleFor), action, false, false));
            if (!s.warned() && !now.isBefore(s.actionAt().minus(grace))) {
                log.warn("idle reclaim: {} (tenant {}) has had its GPUs below {}% since {}; {} at {} unless they get busy",
                        f.name(), f.tenant(), belowPercent, s.idleSince(), what(), s.actionAt());
                tell("reclaim-warning", f, what() + " at " + s.actionAt() + " unless its GPUs get busy (below " + belowPercent + "% since "
                        + s.idleSince() + ")");
                s = new IdleStatus(s.idleSince(), s.actionAt(), action, true, false);
                idle.put(f.name(), s);
            }
            if (!now.isBefore(s.actionAt())) {
                act(f, s);
            }
        }
        // stopped, deleted or without GPUs now: nothing to watch
        idle.keySet().retainAll(seen);
    }

    private void act(InstanceFigures f, IdleStatus s) {
        String container = ReplicaSetRecord.containerName(f.name(), f.version());
        if (!evenWithSessions && engine.runningExecs(container) > 0) {
            if (!s.sparedForSession()) {
                log.info("idle reclaim: {} is idle but has an exec or terminal session open; {} waits for it to end", f.name(), what());
                idle.put(f.name(), new IdleStatus(s.idleSince(), s.actionAt(), action, s.warned(), true));
            }
            return;
        }
        try {
            switch (action) {
                case "stop" -> power.stop(f.name(), Caller.ADMIN);
                case "cardless" -> updates.patch(f.name(), new ReplicaSetRequests.Patch(new ReplicaSetRequests.GpuPatch(0), null), Caller.ADMIN);
                default -> log.warn("idle reclaim: {} (tenant {}) has had its GPUs below {}% since {} (notify only)", f.name(), f.tenant(),
                        belowPercent, s.idleSince());
            }
            tell("reclaimed", f, action + ": GPUs below " + belowPercent + "% since " + s.idleSince());
            if (!"notify".equals(action)) {
                log.info("idle reclaim: {} (tenant {}) idle below {}% since {}: {}", f.name(), f.tenant(), belowPercent, s.idleSince(), what());
            }
            // notify once per idle stretch; a reclaimed instance starts afresh
            idle.put(f.name(), new IdleStatus(s.idleSince(), Instant.MAX, action, true, false));
        } catch (ApiException e) {
            log.info("idle reclaim: {} not reclaimed: {}", f.name(), e.getMessage());
            idle.put(f.name(), new IdleStatus(s.idleSince(), Instant.MAX, action, true, false));
        } catch (RuntimeException e) {
            log.warn("idle reclaim: {} not reclaimed yet: {}", f.name(), e.getMessage());
        }
    }

    private void tell(String type, InstanceFigures f, String detail) {
        if (events != null) {
            events.publish(Event.ofInstance(type, null, f.tenant(), f.name(), f.version(), null, detail));
        }
    }

    private boolean idleNow(InstanceFigures f) {
        if (f.gpus().isEmpty()) {
            return false;
        }
        List<Integer> utils = f.gpus().stream().map(InstanceFigures.GpuFigure::utilizationPercent).toList();
        if (utils.stream().anyMatch(Objects::isNull)) {
            return false;
        }
        return utils.stream().mapToInt(Integer::intValue).average().orElse(100) < belowPercent;
    }

    private String what() {
        return switch (action) {
            case "stop" -> "stopping it";
            case "cardless" -> "dropping it to cardless";
            default -> "notifying";
        };
    }

    Optional<IdleStatus> status(String name) {
        return Optional.ofNullable(idle.get(name));
    }
}
