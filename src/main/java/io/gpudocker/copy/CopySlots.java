package io.gpudocker.copy;

import java.util.concurrent.Semaphore;

/**
 * How many copies (cp, and du measuring a volume) run at once, across every update and resize of the node. Each running
 * child costs platform threads (the JDK's reaper waiting on it, two readers of its output), and copies on one disk
 * gain nothing from running by the hundred: 200 updates at once queue here rather than start 200 children.
 */
public final class CopySlots {
    private final Semaphore slots;

    public CopySlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one copy must be allowed to run, not " + max);
        }
        this.slots = new Semaphore(max, true);
    }

    /** The semaphore the copiers' runners share. */
    public Semaphore semaphore() {
        return slots;
    }
}
