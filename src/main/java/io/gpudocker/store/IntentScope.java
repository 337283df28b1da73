package io.gpudocker.store;

import io.gpudocker.common.Undo;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo scope of an operation that makes Docker objects under an intent: the intent is written first, then
 * the objects are made (each registering, right after it exists, how to take it back), then the record is
 * committed in the transaction that drops the intent. On a failure what was made is taken back, newest first,
 * then what was changed of before is put back, and the intent is dropped; the failure is rethrown as it came.
 * A failure that leaves open whether the record was written undoes nothing and keeps the intent (see
 * {@link io.gpudocker.common.OutcomeUnknown}): the record may already name what was made, and if it does not,
 * the intent still proves what was made uncommitted, so the reconcile or the janitor takes it back — the state a
 * process killed at that instant leaves. An undo step that fails is logged and swallowed, so it cannot hide the
 * failure being reported.
 */
public final class IntentScope {
    /** The work done under the intent. */
    @FunctionalInterface
    public interface Work<T> {
        T run(IntentScope scope);
    }

    /** The work done under the intent, when it returns nothing. */
    @FunctionalInterface
    public interface Steps {
        void run(IntentScope scope);
    }

    private final Intent intent;
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private final Deque<Runnable> restore = new ArrayDeque<>();

    private IntentScope(Intent intent) {
        this.intent = intent;
    }

    public static void run(Intents operations, Intent intent, Steps steps) {
        call(operations, intent, scope -> {
            steps.run(scope);
            return null;
        });
    }

    /** Writes {@code intent}, then runs {@code work} under it; a failure of either is rethrown unchanged. */
    public static <T> T call(Intents operations, Intent intent, Work<T> work) {
        IntentScope scope = new IntentScope(operations.begin(intent));
        try {
            return work.run(scope);
        } catch (RuntimeException e) {
            scope.unwind(e, operations);
            throw e;
        }
    }

    /** The intent written, to stamp on the objects made and to drop with the commit. */
    public Intent intent() { return intent; }

    public String id() { return intent.id(); }

    /** Registers how to take back an object just made. */
    public void undo(Runnable step) {
        undo.push(step);
    }

    /**
     * Registers how to put back something of before that this call changed (start the old container again).
     * These run after every undo step: what was made may stand in the way (a new container on the same ports).
     */
    public void restore(Runnable step) {
        restore.push(step);
    }

    private void unwind(RuntimeException failure, Intents operations) {
        undo.forEach(step -> Undo.after(failure, step));
        restore.forEach(step -> Undo.after(failure, step));
        Undo.after(failure, () -> operations.drop(intent));
    }
}
