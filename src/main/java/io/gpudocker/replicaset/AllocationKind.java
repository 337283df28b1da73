package io.gpudocker.replicaset;

import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One resource an instance holds, as etcd keeps it: one key per unit naming its holder. The repository's
 * transactions and listings go through these, so a new resource is one more kind.
 *
 * @param <K> how a unit is named: a GPU's UUID, a port or core number
 */
public final class AllocationKind<K> {
    /** The key under which the original project kept its whole GPU map; not an allocation. */
    static final String ORIGINAL_GPU_MAP_KEY = "gpuStatusMapKey";

    public static final AllocationKind<String> GPU = new AllocationKind<>("GPU", Keys::gpus, Keys::gpu,
            s -> s.isEmpty() || s.equals(ORIGINAL_GPU_MAP_KEY) ? Optional.empty() : Optional.of(s), Holdings::gpus);
    public static final AllocationKind<Integer> PORT = new AllocationKind<>("port", Keys::ports, Keys::port,
            AllocationKind::portOf, Holdings::hostPorts);
    public static final AllocationKind<Integer> CPU = new AllocationKind<>("CPU core", Keys::cpus, Keys::cpu,
            s -> s.matches("\\d{1,5}") ? Optional.of(Integer.parseInt(s)) : Optional.empty(), Holdings::cores);

    public static final List<AllocationKind<?>> ALL = List.of(GPU, PORT, CPU);

    private final String label;
    private final Function<Keys, String> prefix;
    private final BiFunction<Keys, K, String> key;
    private final Function<String, Optional<K>> parse;
    private final Function<Holdings, Collection<K>> held;

    private AllocationKind(String label, Function<Keys, String> prefix, BiFunction<Keys, K, String> key,
                           Function<String, Optional<K>> parse, Function<Holdings, Collection<K>> held) {
        this.label = label;
        this.prefix = prefix;
        this.key = key;
        this.parse = parse;
        this.held = held;
    }

    public String label() { return label; }

    /** Where every key of this kind lives (for ports and cores, this node's). */
    public String prefix(Keys keys) { return prefix.apply(keys); }

    public String key(Keys keys, K unit) { return key.apply(keys, unit); }

    /** The unit a key's last segment names; empty for a key that is not one (a key of the original's layout). */
    public Optional<K> parse(String segment) { return parse.apply(segment); }

    public Collection<K> of(Holdings holdings) { return held.apply(holdings); }

    /**
     * Adds to {@code txn} the move of {@code holder} from {@code before} to {@code after}: a unit newly held must
     * be free and is taken; one no longer held must still name the holder and is freed.
     */
    void transfer(Txn txn, Keys keys, String holder, Holdings before, Holdings after) {
        Set<K> was = new HashSet<>(of(before));
        Set<K> is = new HashSet<>(of(after));
        for (K unit : of(after)) {
            if (!was.contains(unit)) {
                txn.requireAbsent(key(keys, unit)).put(key(keys, unit), holder);
            }
        }
        for (K unit : of(before)) {
            if (!is.contains(unit)) {
                txn.requireValue(key(keys, unit), holder).delete(key(keys, unit));
            }
        }
    }

    /** Adds to {@code txn} freeing every unit of {@code holdings}, unguarded: the record's guard covers them. */
    void forget(Txn txn, Keys keys, Holdings holdings) {
        of(holdings).forEach(unit -> txn.delete(key(keys, unit)));
    }

    /** Adds to {@code txn} freeing one unit, if it still names {@code holder}. */
    void drop(Txn txn, Keys keys, K unit, String holder) {
        txn.requireValue(key(keys, unit), holder).delete(key(keys, unit));
    }

    private static Optional<Integer> portOf(String segment) {
        if (!segment.matches("\\d{1,5}")) {
            return Optional.empty();
        }
        int port = Integer.parseInt(segment);
        return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
    }

    @Override
    public String toString() { return label; }
}
