package io.gpudocker.volume;

import io.gpudocker.common.StartPhases;
import org.springframework.context.SmartLifecycle;

/**
 * At start, once the records are reconciled and before the web server opens: detects whether sizes can be enforced
 * (asks Docker) and starts sweeping superseded versions. A lifecycle, not bean construction, so making the context
 * calls no engine.
 */
class VolumeStartup implements SmartLifecycle {
    private final VolumeSizeSupport sizeSupport;
    private final VolumeJanitor janitor;
    private volatile boolean running;
    private boolean sweeping;

    VolumeStartup(VolumeSizeSupport sizeSupport, VolumeJanitor janitor) {
        this.sizeSupport = sizeSupport;
        this.janitor = janitor;
    }

    @Override
    public synchronized void start() {
        sizeSupport.status();
        if (!sweeping) {
            janitor.start();
            sweeping = true;
        }
        running = true;
    }

    /** The janitor's ticker ends with the context (it is closed as a bean); a pause leaves it sweeping. */
    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StartPhases.AFTER_RECONCILE;
    }
}
