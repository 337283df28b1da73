package io.gpudocker.telemetry;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;

/**
 * The instances' own idle-reclaim policies, kept in etcd beside their records (removed with them) and read by the node
 * running each instance on every telemetry pass. A field a request leaves out is the operator's default's; where the
 * operator set none, a policy names its threshold and action itself.
 */
public class ReclaimPolicies {
    private static final Logger log = LoggerFactory.getLogger(ReclaimPolicies.class);
    private static final Duration DEFAULT_IDLE_FOR = Duration.ofMinutes(30);
    private static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);

    private final KeyValueStore store;
    private final Keys keys;
    private final ReplicaSetRepository repo;
    private final ReclaimPolicy operatorDefault;

    /** @param operatorDefault the operator's policy; null: none */
    public ReclaimPolicies(KeyValueStore store, Keys keys, ReplicaSetRepository repo, ReclaimPolicy operatorDefault) {
        this.store = store;
        this.keys = keys;
        this.repo = repo;
        this.operatorDefault = operatorDefault;
    }

    public ReclaimPolicy put(String name, ReclaimRequest req, Caller caller) {
        ReclaimPolicy policy = policyOf(req);
        repo.require(name, caller);
        // the replicaset must still exist as the policy lands: its delete removes the policy in its own transaction
        String recordKey = keys.replicaSets().record(name);
        KeyValue record = store.get(recordKey).orElseThrow(() -> ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' not found", name));
        if (!store.commit(new Txn().requireModRevision(recordKey, record.modRevision()).put(keys.reclaim(name), Json.write(policy)))) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' changed while its reclaim policy was set; retry", name);
        }
        log.info("reclaim policy of {} set by {}: {}", name, caller.name(), describe(policy));
        return policy;
    }

    /** The policy the instance is under: its own, else the operator's (off, from the default, where there is none). */
    public ReclaimPolicy get(String name, Caller caller) {
        repo.require(name, caller);
        return own(name).orElse(operatorDefault != null ? operatorDefault : ReclaimPolicy.NONE);
    }

    /** Removes the instance's own policy: the operator's default applies again. */
    public ReclaimPolicy delete(String name, Caller caller) {
        repo.require(name, caller);
        store.get(keys.reclaim(name)).ifPresent(kv -> {
            store.commit(new Txn().requireModRevision(kv.key(), kv.modRevision()).delete(kv.key()));
            log.info("reclaim policy of {} removed by {}: the operator's default applies", name, caller.name());
        });
        return operatorDefault != null ? operatorDefault : ReclaimPolicy.NONE;
    }

    Optional<ReclaimPolicy> own(String name) {
        return store.get(keys.reclaim(name)).map(kv -> Json.read(kv.value(), ReclaimPolicy.class).from("instance"));
    }

    /** Every instance's own policy, in one read. */
    Map<String, ReclaimPolicy> all() {
        Map<String, ReclaimPolicy> out = new HashMap<>();
        for (KeyValue kv : store.list(keys.reclaims())) {
            try {
                out.put(Keys.lastSegment(kv.key()), Json.read(kv.value(), ReclaimPolicy.class).from("instance"));
            } catch (RuntimeException e) {
                log.debug("skipping {}: not a reclaim policy ({})", kv.key(), e.getMessage());
            }
        }
        return out;
    }

    /** The request with the operator's default filled in, checked whole; nothing is kept when it is refused. */
    ReclaimPolicy policyOf(ReclaimRequest req) {
        if (req == null) {
            throw invalid("a body is required: idleBelowPercent, idleFor, action, grace, evenWithSessions, or off");
        }
        if (Boolean.TRUE.equals(req.off())) {
            return new ReclaimPolicy(null, null, null, null, false, true, "instance");
        }
        ReclaimPolicy base = operatorDefault;
        Integer below = req.idleBelowPercent() != null ? req.idleBelowPercent() : base == null ? null : base.idleBelowPercent();
        if (below == null) {
            throw invalid("idleBelowPercent is required (the operator set no default)");
        }
        if (below < 1 || below > 100) {
            throw invalid("idleBelowPercent " + below + " is not 1-100");
        }
        Duration idleFor = req.idleFor() != null ? duration("idleFor", req.idleFor()) : base == null ? DEFAULT_IDLE_FOR : base.idleFor();
        Duration grace = req.grace() != null ? duration("grace", req.grace()) : base == null ? DEFAULT_GRACE : base.grace();
        String action = req.action() != null ? req.action().trim().toLowerCase(Locale.ROOT) : base == null ? null : base.action();
        if (action == null) {
            throw invalid("action is required: notify, cardless or stop (the operator set no default)");
        }
        if (!List.of("notify", "cardless", "stop").contains(action)) {
            throw invalid("action '" + req.action() + "' is not notify, cardless or stop");
        }
        if (grace.compareTo(idleFor) >= 0) {
            throw invalid("grace " + text(grace) + " is not shorter than idleFor " + text(idleFor));
        }
        boolean evenWithSessions = req.evenWithSessions() != null ? req.evenWithSessions() : base != null && base.evenWithSessions();
        return new ReclaimPolicy(below, idleFor, action, grace, evenWithSessions, false, "instance");
    }

    private static Duration duration(String field, String text) {
        Duration d;
        try {
            d = DurationStyle.detectAndParse(text.trim());
        } catch (IllegalArgumentException e) {
            throw invalid(field + " '" + text + "' is not a duration such as 30s, 15m or 2h");
        }
        if (field.equals("idleFor") ? d.isNegative() || d.isZero() : d.isNegative()) {
            throw invalid(field + " '" + text + "' must be " + (field.equals("idleFor") ? "positive" : "0 or more"));
        }
        return d;
    }

    private static ApiException invalid(String why) {
        return ApiException.of(ErrorCode.RECLAIM_POLICY_INVALID, "reclaim policy refused: %s", why);
    }

    /** 2h, 30m or 45s, as an operator writes it. */
    static String text(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    static String describe(ReclaimPolicy p) {
        return p.off() ? "off" : "GPUs below " + p.idleBelowPercent() + "% for " + text(p.idleFor()) + " -> " + p.action() + " (" + text(p.grace())
                + " warning first" + (p.evenWithSessions() ? ", even with a session open)" : ")");
    }
}
