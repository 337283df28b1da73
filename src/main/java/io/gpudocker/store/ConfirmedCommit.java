package io.gpudocker.store;

import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A commit that does not take a lost answer for a refusal. etcd may apply a transaction whose reply never
 * arrives (a timeout, a dropped connection), so before anyone undoes the steps that preceded the write, the
 * transaction's witness key (the record it moves) is read back: if it holds what the transaction wrote, the
 * write landed and counts as done; if it holds something else, nothing was written and undoing is safe; if
 * etcd cannot answer that either, {@link CommitOutcomeUnknownException} says so and nothing may be undone.
 */
public final class ConfirmedCommit {
    private static final Logger log = LoggerFactory.getLogger(ConfirmedCommit.class);

    private final KeyValueStore store;

    public ConfirmedCommit(KeyValueStore store) {
        this.store = store;
    }

    /**
     * @param witness a key the transaction puts or deletes; its state after the commit tells whether it applied
     * @return true when applied, false when a guard did not hold (nothing was written)
     * @throws StoreUnavailableException when etcd did not answer and re-reading shows the write did not land
     * @throws CommitOutcomeUnknownException when etcd answered neither the write nor the re-read
     */
    public boolean commit(Txn txn, String witness) {
        Optional<String> expected = expectedValue(txn, witness);
        try {
            return store.commit(txn);
        } catch (StoreUnavailableException unanswered) {
            if (landed(witness, expected, unanswered)) {
                log.warn("etcd did not answer the write of {} ({}), but reading it back shows the write was applied", witness, unanswered.getMessage());
                return true;
            }
            throw unanswered;
        }
    }

    private boolean landed(String witness, Optional<String> expected, StoreUnavailableException unanswered) {
        Optional<String> now;
        try {
            now = store.get(witness).map(KeyValue::value);
        } catch (StoreUnavailableException alsoUnanswered) {
            throw new CommitOutcomeUnknownException(unanswered.getMessage() + "; reading " + witness
                    + " back failed too, so whether the change was recorded is unknown; nothing was undone, and the service settles it once etcd answers", unanswered);
        }
        return Objects.equals(now, expected);
    }

    /** What the witness holds once the transaction applied: the last value put, or empty when deleted. */
    private static Optional<String> expectedValue(Txn txn, String witness) {
        Optional<String> expected = null;
        for (Txn.Op op : txn.ops()) {
            if (op instanceof Txn.Put p && p.key().equals(witness)) {
                expected = Optional.of(p.value());
            } else if (op instanceof Txn.Delete d && d.key().equals(witness)
                    || op instanceof Txn.DeletePrefix dp && witness.startsWith(dp.prefix())) {
                expected = Optional.empty();
            }
        }
        if (expected == null) {
            throw new IllegalArgumentException("the transaction neither puts nor deletes its witness " + witness);
        }
        return expected;
    }
}
