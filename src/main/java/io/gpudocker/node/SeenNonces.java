package io.gpudocker.node;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The nonces of forwarded calls this node already accepted, each kept as long as its signature could still be
 * accepted, so the same signed call is run at most once. Entries are kept in the order they arrived and expire
 * in that order (each lives the same span from its arrival), so expiring is a walk from the oldest. The number
 * kept is bounded: when it is full of unexpired entries a new call is refused rather than an old nonce forgotten,
 * since forgetting one would let its call be replayed.
 */
final class SeenNonces {
    private final Clock clock;
    private final Duration keep;
    private final int capacity;
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    /**
     * @param keep     how long a nonce is remembered after it arrived: at least as long as a signature stays acceptable
     * @param capacity the most nonces remembered at once
     */
    SeenNonces(Clock clock, Duration keep, int capacity) {
        this.clock = clock;
        this.keep = keep;
        this.capacity = capacity;
    }

    enum Outcome { FIRST, REPLAYED, FULL }

    /** Records {@code nonce} unless it was seen within its lifetime or no room is left. */
    synchronized Outcome admit(String nonce) {
        long now = clock.millis();
        expire(now);
        if (seen.containsKey(nonce)) {
            return Outcome.REPLAYED;
        }
        if (seen.size() >= capacity) {
            return Outcome.FULL;
        }
        seen.put(nonce, now + keep.toMillis());
        return Outcome.FIRST;
    }

    synchronized int size() {
        expire(clock.millis());
        return seen.size();
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() > now) {
                return;
            }
            it.remove();
        }
    }
}
