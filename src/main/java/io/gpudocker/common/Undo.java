package io.gpudocker.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undo steps of a failed operation. An undo that fails itself must not hide the failure being reported,
 * so it is logged and swallowed; whatever it leaves is for the reconcile or the janitor to finish.
 */
public final class Undo {
    private static final Logger log = LoggerFactory.getLogger(Undo.class);

    private Undo() {}

    /** Runs a cleanup step; a failure is logged, never thrown. */
    public static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.warn("cleanup step failed: {}", e.getMessage());
        }
    }

    /** Runs the record write; if it fails, runs {@code undo} so nothing is left half changed, then rethrows. */
    public static void onFailure(Runnable write, Runnable undo) {
        try {
            write.run();
        } catch (RuntimeException e) {
            quietly(undo);
            throw e;
        }
    }
}
