package io.gpudocker.schedule;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.event.Event;
import io.gpudocker.event.EventLog;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetRequests;
import io.gpudocker.replicaset.UpdatePlans;
import io.gpudocker.store.Stored;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the schedules that are due for the instances of this node, with the rights of whoever set them. A schedule
 * that ran, or whose action was refused (the instance already stopped, a quota, no longer the caller's), is removed;
 * one that failed because etcd or Docker did not answer stays and is tried again on the next pass. As the schedules
 * are read from etcd on every pass, a restarted service runs what fell due while it was down.
 */
public class ScheduleRunner {
    private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);

    private final Schedules schedules;
    private final ReplicaSetRepository repo;
    private final ReplicaSetLifecycle power;
    private final UpdatePlans updates;
    private final Clock clock;
    private volatile String lastFailure;
    private final EventLog events;

    public ScheduleRunner(Schedules schedules, ReplicaSetRepository repo, ReplicaSetLifecycle power, UpdatePlans updates, Clock clock) {
        this(schedules, repo, power, updates, clock, null);
    }

    public ScheduleRunner(Schedules schedules, ReplicaSetRepository repo, ReplicaSetLifecycle power, UpdatePlans updates, Clock clock,
                          EventLog events) {
        this.events = events;
        this.schedules = schedules;
        this.repo = repo;
        this.power = power;
        this.updates = updates;
        this.clock = clock;
    }

    public void runDue() {
        List<Schedules.Stored> all;
        try {
            all = schedules.all();
        } catch (RuntimeException e) {
            failed("schedules could not be read: " + e.getMessage());
            return;
        }
        Instant now = clock.instant();
        for (Schedules.Stored s : all) {
            if (!s.schedule().at().isAfter(now)) {
                run(s);
            }
        }
    }

    private void run(Schedules.Stored s) {
        Schedule schedule = s.schedule();
        String name = schedule.name();
        try {
            Optional<Stored<ReplicaSetRecord>> record = repo.findQuietly(name);
            if (record.isEmpty()) {
                schedules.remove(s);
                return;
            }
            if (!repo.isLocal(record.get().record())) {
                return;
            }
            Caller caller = schedule.setByAdmin() ? Caller.ADMIN : Caller.tenant(schedule.setBy());
            if (schedule.action() == ScheduleAction.STOP) {
                power.stop(name, caller);
            } else {
                updates.patch(name, new ReplicaSetRequests.Patch(new ReplicaSetRequests.GpuPatch(0), null), caller);
            }
            schedules.remove(s);
            tell("schedule-ran", record.get().record(), schedule.action().name().toLowerCase(Locale.ROOT) + " due " + schedule.at() + ", set by "
                    + schedule.setBy());
            log.info("schedule of {} ran: {} (due {}, set by {})", name, schedule.action().name().toLowerCase(Locale.ROOT), schedule.at(), schedule.setBy());
            lastFailure = null;
        } catch (ApiException e) {
            if (e.code().status().is4xxClientError()) {
                schedules.remove(s);
                repo.findQuietly(name).ifPresent(r -> tell("schedule-dropped", r.record(), schedule.action().name().toLowerCase(Locale.ROOT)
                        + " refused: " + e.getMessage()));
                log.info("schedule of {} dropped: {} was refused: {}", name, schedule.action().name().toLowerCase(Locale.ROOT), e.getMessage());
            } else {
                failed("schedule of " + name + " not run yet: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            failed("schedule of " + name + " not run yet: " + e.getMessage());
        }
    }

    private void tell(String type, ReplicaSetRecord r, String detail) {
        if (events != null) {
            events.publish(Event.ofInstance(type, null, r.tenant(), r.name(), null, null, detail));
        }
    }

    private void failed(String why) {
        if (!why.equals(lastFailure)) {
            log.warn("{}; tried again on the next pass", why);
        }
        lastFailure = why;
    }
}
