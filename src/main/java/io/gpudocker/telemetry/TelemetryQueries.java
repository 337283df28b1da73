package io.gpudocker.telemetry;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.boot.convert.DurationStyle;

/** An instance's series, read on the node that runs it; the caller must be allowed to see the instance. */
public class TelemetryQueries {
    private final ReplicaSetRepository repo;
    private final TelemetrySampler sampler;
    private final String node;
    private final Duration period;
    private final Clock clock;
    private final IdleReclaimer reclaimer;

    /** @param sampler null when telemetry is off; @param reclaimer null without an idle policy */
    TelemetryQueries(ReplicaSetRepository repo, TelemetrySampler sampler, IdleReclaimer reclaimer, String node, Duration period, Clock clock) {
        this.reclaimer = reclaimer;
        this.repo = repo;
        this.sampler = sampler;
        this.node = node;
        this.period = period;
        this.clock = clock;
    }

    public MetricsView metrics(String name, Caller caller, String since) {
        Instant from = since(since);
        ReplicaSetRecord record = repo.require(name, caller).record();
        if (sampler == null) {
            throw ApiException.of(ErrorCode.TELEMETRY_OFF, "telemetry is off on node '%s' (gda.telemetry.enabled=false): no figures for '%s'", node, name);
        }
        return sampler.series(name).map(s -> {
            InstanceFigures latest = s.latest();
            boolean current = latest != null && latest.version() == record.version() && record.state().holdsResources();
            return new MetricsView(name, node, period.toSeconds(), from, current ? latest : null, s.recent(from), s.minutes(from),
                    reclaimer == null ? null : reclaimer.status(name).orElse(null));
        }).orElseGet(() -> new MetricsView(name, node, period.toSeconds(), from, null, List.of(), List.of(), null));
    }

    /** An instant as given, or a duration counted back from now; null when absent. */
    Instant since(String since) {
        if (since == null || since.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(since.trim());
        } catch (DateTimeParseException notAnInstant) {
            try {
                Duration back = DurationStyle.detectAndParse(since.trim());
                if (back.isNegative()) {
                    throw ApiException.of(ErrorCode.SINCE_INVALID, "since '%s' is a negative duration", since);
                }
                return clock.instant().minus(back);
            } catch (IllegalArgumentException e) {
                throw ApiException.of(ErrorCode.SINCE_INVALID, "since '%s' is neither an ISO-8601 instant nor a duration such as 15m", since);
            }
        }
    }
}
