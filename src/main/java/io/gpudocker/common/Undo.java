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

    /**
     * Runs a cleanup step after {@code failure}, unless that failure leaves open whether the change was
     * recorded: then what the operation made stays, since the record may now point to it.
     */
    public static void after(RuntimeException failure, Runnable step) {
        if (OutcomeUnknown.isOutcomeUnknown(failure)) {
            return;
        }
        quietly(step);
    }

    /**
     * Runs the record write; if it fails, runs {@code undo} so nothing is left half changed, then rethrows.
     * A write whose outcome is unknown is not undone (see {@link OutcomeUnknown}).
     */
    public static void onFailure(Runnable write, Runnable undo) {
        try {
            write.run();
        } catch (RuntimeException e) {
            after(e, undo);
            throw e;
        }
    }
}
