package io.gpudocker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.common.OutcomeUnknown;
import io.gpudocker.store.InMemoryKeyValueStore.Fault;
import org.junit.jupiter.api.Test;

/** A commit whose answer is lost is read back before anyone undoes anything. */
class ConfirmedCommitTest {
    private static final String RECORD = "/p/apis/v1/volumes/data";
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final ConfirmedCommit commits = new ConfirmedCommit(store);

    @Test
    void aWriteThatLandedBeforeItsAnswerWasLostCountsAsDone() {
        store.failNextCommit(Fault.APPLY_THEN_TIME_OUT);

        assertThat(commits.commit(create("v1"), RECORD)).isTrue();
        assertThat(store.snapshot()).containsEntry(RECORD, "v1");
    }

    @Test
    void aWriteThatDidNotLandIsReportedAsTheTimeoutItWasSoTheCallerMayUndo() {
        store.commit(create("v1"));
        long revision = store.get(RECORD).orElseThrow().modRevision();
        store.failNextCommit(Fault.TIME_OUT_WITHOUT_APPLYING);

        assertThatThrownBy(() -> commits.commit(advance(revision, "v2"), RECORD))
                .isInstanceOf(StoreUnavailableException.class)
                .isNotInstanceOf(OutcomeUnknown.class);
        assertThat(store.snapshot()).containsEntry(RECORD, "v1");
    }

    @Test
    void whenTheReadBackFailsTooTheOutcomeIsUnknownAndSaysNothingWasUndone() {
        store.commit(create("v1"));
        long revision = store.get(RECORD).orElseThrow().modRevision();
        store.failNextCommit(Fault.APPLY_THEN_TIME_OUT);
        store.failReads(true);

        assertThatThrownBy(() -> commits.commit(advance(revision, "v2"), RECORD))
                .isInstanceOf(CommitOutcomeUnknownException.class)
                .isInstanceOf(OutcomeUnknown.class)
                .hasMessageContaining("unknown").hasMessageContaining("nothing was undone");
    }

    @Test
    void aLandedDeleteIsSeenByTheRecordBeingGone() {
        store.commit(create("v1"));
        long revision = store.get(RECORD).orElseThrow().modRevision();
        store.failNextCommit(Fault.APPLY_THEN_TIME_OUT);

        Txn forget = new Txn().requireModRevision(RECORD, revision).delete(RECORD).deletePrefix("/p/apis/v1/volume-versions/data/");
        assertThat(commits.commit(forget, RECORD)).isTrue();
        assertThat(store.snapshot()).isEmpty();
    }

    @Test
    void aGuardThatDoesNotHoldIsAnAnsweredRefusal() {
        store.commit(create("v1"));

        assertThat(commits.commit(create("other"), RECORD)).isFalse();
        assertThat(store.snapshot()).containsEntry(RECORD, "v1");
    }

    private static Txn create(String value) {
        return new Txn().requireAbsent(RECORD).put(RECORD, value).put("/p/apis/v1/volume-versions/data/0000000001", value);
    }

    private static Txn advance(long revision, String value) {
        return new Txn().requireModRevision(RECORD, revision).put(RECORD, value);
    }
}
