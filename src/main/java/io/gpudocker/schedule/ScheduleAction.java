package io.gpudocker.schedule;

/** What a schedule does when it is due. */
public enum ScheduleAction {
    /** Stops the instance: its GPUs, cores, memory and ports are released, its disk kept. */
    STOP,
    /** Updates the instance to a new version with 0 GPUs: it keeps running, without GPUs. */
    CARDLESS
}
