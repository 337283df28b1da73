package io.gpudocker.schedule;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;

/** Sets, reads and removes replicasets' schedules in etcd; one schedule per replicaset, a new one replaces the old. */
public class Schedules {
    private static final Logger log = LoggerFactory.getLogger(Schedules.class);

    private final KeyValueStore store;
    private final Keys keys;
    private final ReplicaSetRepository repo;
    private final Clock clock;

    public Schedules(KeyValueStore store, Keys keys, ReplicaSetRepository repo, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.repo = repo;
        this.clock = clock;
    }

    public Schedule put(String name, ScheduleRequest req, Caller caller) {
        Instant now = clock.instant();
        ScheduleAction action = action(req);
        Instant at = when(req, now);
        repo.require(name, caller);
        Schedule s = new Schedule(name, action, at, caller.name(), caller.admin(), now);
        // the replicaset must still exist as the schedule lands: its delete removes the schedule in its own transaction
        String recordKey = keys.replicaSets().record(name);
        KeyValue record = store.get(recordKey).orElseThrow(() -> ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' not found", name));
        if (!store.commit(new Txn().requireModRevision(recordKey, record.modRevision()).put(keys.schedule(name), Json.write(s)))) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' changed while its schedule was set; retry", name);
        }
        log.info("schedule of {} set by {}: {} at {}", name, caller.name(), action.name().toLowerCase(Locale.ROOT), at);
        return s;
    }

    public Schedule get(String name, Caller caller) {
        repo.require(name, caller);
        return find(name).orElseThrow(() -> ApiException.of(ErrorCode.SCHEDULE_NOT_FOUND, "replicaset '%s' has no schedule", name));
    }

    public void delete(String name, Caller caller) {
        repo.require(name, caller);
        KeyValue kv = store.get(keys.schedule(name))
                .orElseThrow(() -> ApiException.of(ErrorCode.SCHEDULE_NOT_FOUND, "replicaset '%s' has no schedule", name));
        store.commit(new Txn().requireModRevision(kv.key(), kv.modRevision()).delete(kv.key()));
        log.info("schedule of {} removed by {}", name, caller.name());
    }

    Optional<Schedule> find(String name) {
        return store.get(keys.schedule(name)).map(kv -> Json.read(kv.value(), Schedule.class));
    }

    /** Every schedule with the revision it was read at, so running it removes exactly that one. */
    List<Stored> all() {
        return store.list(keys.schedules()).stream().map(kv -> new Stored(Json.read(kv.value(), Schedule.class), kv.key(), kv.modRevision())).toList();
    }

    /** Removes the schedule as it was read; false when it was replaced or removed meanwhile. */
    boolean remove(Stored s) {
        return store.commit(new Txn().requireModRevision(s.key(), s.revision()).delete(s.key()));
    }

    record Stored(Schedule schedule, String key, long revision) {}

    private static ScheduleAction action(ScheduleRequest req) {
        if (req == null || req.action() == null || req.action().isBlank()) {
            throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "action is required: stop or cardless");
        }
        try {
            return ScheduleAction.valueOf(req.action().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "action '%s' is neither stop nor cardless", req.action());
        }
    }

    private static Instant when(ScheduleRequest req, Instant now) {
        boolean hasAt = req.at() != null && !req.at().isBlank();
        boolean hasAfter = req.after() != null && !req.after().isBlank();
        if (hasAt == hasAfter) {
            throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "give exactly one of at (an instant) or after (a duration)");
        }
        if (hasAt) {
            Instant at;
            try {
                at = Instant.parse(req.at().trim());
            } catch (DateTimeParseException e) {
                throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "at '%s' is not an ISO-8601 instant such as 2026-01-01T18:00:00Z", req.at());
            }
            if (!at.isAfter(now)) {
                throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "at '%s' is not in the future (now %s)", req.at(), now);
            }
            return at;
        }
        Duration after;
        try {
            after = DurationStyle.detectAndParse(req.after().trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "after '%s' is not a duration such as 30s, 15m or 2h", req.after());
        }
        if (after.isNegative() || after.isZero()) {
            throw ApiException.of(ErrorCode.SCHEDULE_INVALID, "after '%s' must be positive", req.after());
        }
        return now.plus(after);
    }
}
