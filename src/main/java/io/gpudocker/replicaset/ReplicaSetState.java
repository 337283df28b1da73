package io.gpudocker.replicaset;

/**
 * RUNNING, PAUSED and EXITED hold their GPUs, ports, cores and memory; STOPPED holds none. EXITED is a running instance
 * whose main process exited by itself: it keeps what it holds (no other tenant takes its GPUs because it
 * crashed) and is not started again behind the user's back.
 */
public enum ReplicaSetState {
    RUNNING, PAUSED, STOPPED, EXITED;

    public boolean holdsResources() { return this != STOPPED; }
}
