package io.gpudocker.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The containers a call in flight has frozen on purpose (a live volume copy). A container Docker shows
 * paused and not listed here was left frozen by a process that died mid-copy, and the reconcile thaws it.
 */
public class FrozenContainers {
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();

    public void add(String container) { frozen.add(container); }

    public void remove(String container) { frozen.remove(container); }

    public boolean byACallInFlight(String container) { return frozen.contains(container); }
}
