package io.gpudocker.usage;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.RecordChangeHook;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Meters one kind of record: every change of what a record holds closes its open interval (a closed interval key)
 * and opens the next, in the transaction of the change itself, so a change and its interval land together or not at
 * all; a crash or a lost race leaves neither, a retried commit never both twice. The boundary is this service's clock
 * when the transaction is built. A change that leaves what is held as it was (a node claiming a record, say) adds nothing.
 *
 * @param <R> the record type
 */
public final class MeteringHook<R> implements RecordChangeHook<R> {
    private final KeyValueStore store;
    private final UsageKeys keys;
    private final Clock clock;
    private final String kind;
    private final Function<R, String> name;
    /** What a record holds for metering; null when it holds nothing (a stopped instance). */
    private final Function<R, Held> meter;
    /** When a record last changed: where an interval starts that began before metering did. */
    private final Function<R, Instant> lastChange;

    public MeteringHook(KeyValueStore store, UsageKeys keys, Clock clock, String kind, Function<R, String> name,
                        Function<R, Held> meter, Function<R, Instant> lastChange) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
        this.kind = kind;
        this.name = name;
        this.meter = meter;
        this.lastChange = lastChange;
    }

    @Override
    public void contribute(Txn txn, R before, R after) {
        Held was = before == null ? null : meter.apply(before);
        Held now = after == null ? null : meter.apply(after);
        if (before != null && after != null && Objects.equals(was, now)) {
            return;
        }
        String instance = name.apply(before != null ? before : after);
        String openKey = keys.open(kind, instance);
        Instant at = clock.instant();
        if (before != null) {
            Optional<KeyValue> stored = store.get(openKey);
            OpenInterval open;
            if (stored.isPresent()) {
                txn.requireModRevision(openKey, stored.get().modRevision());
                open = Json.read(stored.get().value(), OpenInterval.class);
            } else {
                txn.requireAbsent(openKey);
                open = was == null ? null : new OpenInterval(was, lastChange.apply(before));
            }
            close(txn, open, at);
        }
        if (now != null) {
            txn.put(openKey, Json.write(new OpenInterval(now, at)));
        } else if (before != null) {
            txn.delete(openKey);
        }
    }

    private void close(Txn txn, OpenInterval open, Instant at) {
        if (open == null || open.held() == null || !open.start().isBefore(at)) {
            return;
        }
        Held h = open.held();
        txn.put(keys.interval(h.tenant(), h.kind(), h.instance(), open.start(), at), Json.write(new UsageInterval(h, open.start(), at)));
    }
}
