package io.gpudocker.common;

/**
 * The lifecycle phases of what a start does against etcd and Docker. None of it runs while the beans are made, so a
 * context can be refreshed without either (the class data archive is recorded that way); all of it begins before the web
 * server opens, whose phase is far later.
 */
public final class StartPhases {
    /** The start-up checks and the reconcile of etcd with Docker. */
    public static final int RECONCILE = Integer.MIN_VALUE / 2;
    /** What may only begin once the records are reconciled: volume size detection (on a thread of its own), the volume janitor. */
    public static final int AFTER_RECONCILE = RECONCILE + 1;

    private StartPhases() {}
}
