package io.gpudocker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The undo scope of intent, Docker objects and commit: what it takes back on a failure, and what it leaves. */
class IntentScopeTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final Intent intent = Intent.start(Intent.REPLICASET, "create", "foo", 1);
    private final List<String> steps = new ArrayList<>();

    @Test
    void aSuccessTakesNothingBackAndLeavesTheIntentToTheCommit() {
        String result = IntentScope.call(operations, intent, scope -> {
            steps.add("made " + scope.id());
            scope.undo(() -> steps.add("undo"));
            scope.restore(() -> steps.add("restore"));
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(steps).containsExactly("made " + intent.id());
        assertThat(intentStored()).isTrue();
    }

    @Test
    void aFailureTakesBackWhatWasMadeNewestFirstThenRestoresThenDropsTheIntent() {
        IllegalStateException failure = new IllegalStateException("start refused");

        assertThatThrownBy(() -> IntentScope.run(operations, intent, scope -> {
            assertThat(intentStored()).isTrue();
            scope.undo(() -> steps.add("remove first"));
            scope.restore(() -> steps.add("start old"));
            scope.undo(() -> steps.add("remove second"));
            throw failure;
        })).isSameAs(failure);

        assertThat(steps).containsExactly("remove second", "remove first", "start old");
        assertThat(intentStored()).isFalse();
    }

    @Test
    void aFailureOfUnknownOutcomeTakesNothingBackAndKeepsTheIntentAsProof() {
        CommitOutcomeUnknownException unknown = new CommitOutcomeUnknownException("no answer", null);

        assertThatThrownBy(() -> IntentScope.run(operations, intent, scope -> {
            scope.undo(() -> steps.add("remove"));
            scope.restore(() -> steps.add("start old"));
            throw unknown;
        })).isSameAs(unknown);

        assertThat(steps).isEmpty();
        assertThat(intentStored()).isTrue();
    }

    @Test
    void anUndoStepThatFailsDoesNotHideTheFailureNorStopTheOthers() {
        IllegalStateException failure = new IllegalStateException("copy failed");

        assertThatThrownBy(() -> IntentScope.run(operations, intent, scope -> {
            scope.undo(() -> steps.add("remove first"));
            scope.undo(() -> {
                throw new IllegalStateException("remove refused");
            });
            throw failure;
        })).isSameAs(failure);

        assertThat(steps).containsExactly("remove first");
        assertThat(intentStored()).isFalse();
    }

    @Test
    void anIntentThatCannotBeWrittenRunsNothing() {
        store.commit(new Txn().delete(keys.cluster())); // etcd lost this deployment's identity

        assertThatThrownBy(() -> IntentScope.run(operations, intent, scope -> steps.add("made")))
                .isInstanceOf(RuntimeException.class);

        assertThat(steps).isEmpty();
        assertThat(intentStored()).isFalse();
    }

    private boolean intentStored() {
        return store.get(keys.operation(intent.id())).isPresent();
    }
}
