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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle policy (an instance's own, else the operator's default), applied after each telemetry pass to the instances
 * holding GPUs: one whose GPUs' mean utilization stays below the threshold is warned {@code grace} before {@code idleFor} is up (a WARN line, and
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

    private final Supplier<Map<String, ReclaimPolicy>> ownPolicies;
    private final ReclaimPolicy operatorDefault;
    private final ContainerEngine engine;
    private final ReplicaSetLifecycle power;
    private final UpdatePlans updates;
    private final Clock clock;
    private final EventLog events;
    private final Map<String, Tracked> idle = new ConcurrentHashMap<>();
    private volatile Map<String, ReclaimPolicy> lastOwn = Map.of();

    /** An idle instance's status and the rule it was counted under: a changed rule counts the stretch anew. */
    private record Tracked(IdleStatus status, ReclaimPolicy rule) {}

    /** The operator's policy alone (for tests of one rule). */
    IdleReclaimer(int belowPercent, Duration idleFor, Duration grace, String action, boolean evenWithSessions, ContainerEngine engine,
                  ReplicaSetLifecycle power, UpdatePlans updates, Clock clock) {
        this(Map::of, new ReclaimPolicy(belowPercent, idleFor, action, grace, evenWithSessions, false, "default"), engine, power, updates, clock, null);
    }

    /**
     * @param ownPolicies     the instances' own policies, read once per pass (a read that fails keeps the last ones read)
     * @param operatorDefault the policy of an instance without its own; null: none
     */
    IdleReclaimer(Supplier<Map<String, ReclaimPolicy>> ownPolicies, ReclaimPolicy operatorDefault, ContainerEngine engine, ReplicaSetLifecycle power,
                  UpdatePlans updates, Clock clock, EventLog events) {
        this.ownPolicies = ownPolicies;
        this.operatorDefault = operatorDefault;
        this.engine = engine;
        this.power = power;
        this.updates = updates;
        this.clock = clock;
        this.events = events;
    }

    void afterPass(List<InstanceFigures> pass) {
        Instant now = clock.instant();
        Map<String, ReclaimPolicy> own = readOwn();
        Set<String> seen = new HashSet<>();
        for (InstanceFigures f : pass) {
            ReclaimPolicy p = own.getOrDefault(f.name(), operatorDefault);
            if (p == null || p.off() || !idleNow(f, p)) {
                if (idle.remove(f.name()) != null && !f.gpus().isEmpty()) {
                    log.info("idle reclaim: {} is {}", f.name(), p == null || p.off() ? "no longer under an idle policy" : "busy again");
                }
                continue;
            }
            seen.add(f.name());
            Tracked t = idle.get(f.name());
            if (t == null || !t.rule().sameRule(p)) {
                Instant since = t == null ? now : t.status().idleSince();
                t = new Tracked(new IdleStatus(since, since.plus(p.idleFor()), p.action(), false, false), p);
                idle.put(f.name(), t);
            }
            IdleStatus s = t.status();
            if (!s.warned() && !now.isBefore(s.actionAt().minus(p.grace()))) {
                log.warn("idle reclaim: {} (tenant {}) has had its GPUs below {}% since {}; {} at {} unless they get busy",
                        f.name(), f.tenant(), p.idleBelowPercent(), s.idleSince(), what(p), s.actionAt());
                tell("reclaim-warning", f, what(p) + " at " + s.actionAt() + " unless its GPUs get busy (below " + p.idleBelowPercent() + "% since "
                        + s.idleSince() + ", " + p.source() + " policy)");
                s = new IdleStatus(s.idleSince(), s.actionAt(), p.action(), true, false);
                idle.put(f.name(), new Tracked(s, p));
            }
            if (!now.isBefore(s.actionAt())) {
                act(f, s, p);
            }
        }
        // stopped, deleted or without GPUs now: nothing to watch
        idle.keySet().retainAll(seen);
    }

    private Map<String, ReclaimPolicy> readOwn() {
        try {
            lastOwn = ownPolicies.get();
        } catch (RuntimeException e) {
            log.debug("idle reclaim: the instances' own policies could not be read ({}); the last ones read apply", e.getMessage());
        }
        return lastOwn;
    }

    private void act(InstanceFigures f, IdleStatus s, ReclaimPolicy p) {
        String container = ReplicaSetRecord.containerName(f.name(), f.version());
        if (!p.evenWithSessions() && engine.runningExecs(container) > 0) {
            if (!s.sparedForSession()) {
                log.info("idle reclaim: {} is idle but has an exec or terminal session open; {} waits for it to end", f.name(), what(p));
                idle.put(f.name(), new Tracked(new IdleStatus(s.idleSince(), s.actionAt(), p.action(), s.warned(), true), p));
            }
            return;
        }
        try {
            switch (p.action()) {
                case "stop" -> power.stop(f.name(), Caller.ADMIN);
                case "cardless" -> updates.patch(f.name(), new ReplicaSetRequests.Patch(new ReplicaSetRequests.GpuPatch(0), null), Caller.ADMIN);
                default -> log.warn("idle reclaim: {} (tenant {}) has had its GPUs below {}% since {} (notify only)", f.name(), f.tenant(),
                        p.idleBelowPercent(), s.idleSince());
            }
            tell("reclaimed", f, p.action() + ": GPUs below " + p.idleBelowPercent() + "% since " + s.idleSince() + " (" + p.source() + " policy)");
            if (!"notify".equals(p.action())) {
                log.info("idle reclaim: {} (tenant {}) idle below {}% since {}: {}", f.name(), f.tenant(), p.idleBelowPercent(), s.idleSince(), what(p));
            }
            // notify once per idle stretch; a reclaimed instance starts afresh
            idle.put(f.name(), new Tracked(new IdleStatus(s.idleSince(), Instant.MAX, p.action(), true, false), p));
        } catch (ApiException e) {
            log.info("idle reclaim: {} not reclaimed: {}", f.name(), e.getMessage());
            idle.put(f.name(), new Tracked(new IdleStatus(s.idleSince(), Instant.MAX, p.action(), true, false), p));
        } catch (RuntimeException e) {
            log.warn("idle reclaim: {} not reclaimed yet: {}", f.name(), e.getMessage());
        }
    }

    private void tell(String type, InstanceFigures f, String detail) {
        if (events != null) {
            events.publish(Event.ofInstance(type, null, f.tenant(), f.name(), f.version(), null, detail));
        }
    }

    private static boolean idleNow(InstanceFigures f, ReclaimPolicy p) {
        if (f.gpus().isEmpty()) {
            return false;
        }
        List<Integer> utils = f.gpus().stream().map(InstanceFigures.GpuFigure::utilizationPercent).toList();
        if (utils.stream().anyMatch(Objects::isNull)) {
            return false;
        }
        return utils.stream().mapToInt(Integer::intValue).average().orElse(100) < p.idleBelowPercent();
    }

    private static String what(ReclaimPolicy p) {
        return switch (p.action()) {
            case "stop" -> "stopping it";
            case "cardless" -> "dropping it to cardless";
            default -> "notifying";
        };
    }

    Optional<IdleStatus> status(String name) {
        return Optional.ofNullable(idle.get(name)).map(Tracked::status);
    }
}
