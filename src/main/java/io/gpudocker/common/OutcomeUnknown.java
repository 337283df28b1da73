package io.gpudocker.common;

/**
 * Marks a failure after which the change may or may not have been made: a record write whose answer never
 * came and that could not be read back. Undoing after it could destroy what the record now points to, so
 * undo steps do not run; the reconcile and the volume janitor settle it from a fresh look.
 */
public interface OutcomeUnknown {

    static boolean isOutcomeUnknown(Throwable failure) {
        return failure instanceof OutcomeUnknown;
    }
}
