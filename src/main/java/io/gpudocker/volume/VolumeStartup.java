package io.gpudocker.volume;

import io.gpudocker.common.StartPhases;
import org.springframework.context.SmartLifecycle;

/**
 * At start, once the records are reconciled and before the web server opens: starts sweeping superseded versions, and
 * detects whether sizes can be enforced (asks Docker) on a thread of its own, so the web server does not wait for that
 * answer: a call that needs it waits for the detection ({@link VolumeSizeSupport#status()} detects once, under its lock).
 * A lifecycle, not bean construction, so making the context calls no engine.
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
        Thread detection = new Thread(sizeSupport::status, "volume-size-detection");
        detection.setDaemon(true);
        detection.start();
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
