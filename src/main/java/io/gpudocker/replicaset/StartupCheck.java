package io.gpudocker.replicaset;

/**
 * A check that must pass before the start-up reconcile may act, e.g. that etcd is the record of what Docker
 * holds. It may throw an {@link io.gpudocker.api.ApiException} while etcd or Docker is unreachable (the
 * start waits and retries), or any other exception to refuse the start.
 */
@FunctionalInterface
public interface StartupCheck {
    void verify();
}
