package io.gpudocker.access;

import io.gpudocker.common.StartPhases;
import org.springframework.context.SmartLifecycle;

/**
 * Starts making the SSH gateway's server (security providers, host key) before the start-up checks, on a thread of its
 * own: the checks mostly wait on etcd and Docker, so it costs the start little, and once the web server opens its first
 * calls no longer share the CPU with it. The gateway still opens its port at its own phase, after the web server, and
 * a failure still fails the start there.
 * <p>
 * It is handed what to run, not the gateway bean: a lifecycle bean that depends on another starts that one first, which
 * would open the gateway's port before the checks.
 */
class SshGatewayPreparation implements SmartLifecycle {
    private final boolean enabled;
    private final Runnable prepare;
    private volatile boolean running;

    /** @param enabled {@code gda.ssh.enabled}: with {@code --no-ssh} there is nothing to make */
    SshGatewayPreparation(boolean enabled, Runnable prepare) {
        this.enabled = enabled;
        this.prepare = prepare;
    }

    @Override
    public void start() {
        prepare.run();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return enabled;
    }

    @Override
    public int getPhase() {
        return StartPhases.BEFORE_RECONCILE;
    }
}
