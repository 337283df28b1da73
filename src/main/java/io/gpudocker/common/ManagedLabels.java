package io.gpudocker.common;

/**
 * Label keys shared by everything this service creates in Docker (containers and volumes): the owner is
 * the etcd prefix, so several services (or test runs) on one engine never touch each other's objects.
 */
public final class ManagedLabels {
    public static final String OWNER = "io.gpudocker.owner";
    public static final String VERSION = "io.gpudocker.version";

    private ManagedLabels() {}
}
