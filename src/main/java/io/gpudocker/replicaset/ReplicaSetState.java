package io.gpudocker.replicaset;

/** RUNNING and PAUSED hold their GPUs and ports; STOPPED holds none. */
public enum ReplicaSetState {
    RUNNING, PAUSED, STOPPED;

    public boolean holdsResources() { return this != STOPPED; }
}
