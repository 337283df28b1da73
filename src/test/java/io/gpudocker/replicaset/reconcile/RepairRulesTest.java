package io.gpudocker.replicaset.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.reconcile.DockerLooks.ExitLook;
import io.gpudocker.replicaset.reconcile.ExitSightings.Sighting;
import io.gpudocker.replicaset.reconcile.ExitSightings.Status;
import io.gpudocker.replicaset.reconcile.RepairAction.ForgetExit;
import io.gpudocker.replicaset.reconcile.RepairAction.ForgetExitsOf;
import io.gpudocker.replicaset.reconcile.RepairAction.Keep;
import io.gpudocker.replicaset.reconcile.RepairAction.NoteExit;
import io.gpudocker.replicaset.reconcile.RepairAction.Remove;
import io.gpudocker.replicaset.reconcile.RepairAction.Report;
import io.gpudocker.replicaset.reconcile.RepairAction.Start;
import io.gpudocker.replicaset.reconcile.RepairAction.Stop;
import io.gpudocker.replicaset.reconcile.RepairAction.Unpause;
import io.gpudocker.replicaset.reconcile.RepairRules.Decided;
import io.gpudocker.replicaset.reconcile.RepairRules.Decision;
import io.gpudocker.replicaset.reconcile.RepairRules.LookAtExit;
import io.gpudocker.replicaset.reconcile.RepairRules.Sorting;
import io.gpudocker.store.Intent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The repair rules on their own, one case per branch: what etcd and Docker hold in, the steps and the record
 * out, with neither Docker nor etcd behind them.
 */
class RepairRulesTest {
    private static final Instant DOCKER_STARTED = Instant.parse("2026-01-01T10:00:00Z");

    // ---- thawing ----------------------------------------------------------------------------------

    @Test
    void aContainerLeftFrozenIsThawed() {
        ContainerSummary c = paused(2);

        assertThat(RepairRules.thaw("a", c, false)).get().isInstanceOf(Unpause.class).extracting(Unpause::container).isEqualTo(c);
    }

    @Test
    void aContainerFrozenByACopyInFlightIsLeftFrozen() {
        assertThat(RepairRules.thaw("a", paused(2), true)).isEmpty();
    }

    @Test
    void aContainerNotPausedIsNotThawed() {
        assertThat(RepairRules.thaw("a", running(2), false)).isEmpty();
        assertThat(RepairRules.thaw("a", exited(2, 0, DOCKER_STARTED), false)).isEmpty();
    }

    @Test
    void aThawedContainerIsSeenAsRunning() {
        ContainerSummary thawed = DockerLooks.thawed(paused(2));

        assertThat(thawed.running()).isTrue();
        assertThat(thawed.paused()).isFalse();
        assertThat(thawed.status()).isEqualTo("running");
        assertThat(thawed.labels()).isEqualTo(labels(2));
    }

    // ---- sorting the containers found -------------------------------------------------------------

    @Test
    void aContainerOfAnUnfinishedUpdateIsRemovedAndMarksTheUpdateInterrupted() {
        Intent update = Intent.start(Intent.REPLICASET, "patch", "a", 3);
        ContainerSummary made = withOperation(running(3), update.id());

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 2), List.of(made), List.of(update));

        assertThat(sorting.actions()).singleElement().isInstanceOf(Remove.class).extracting(a -> ((Remove) a).container()).isEqualTo(made);
        assertThat(sorting.interruptedUpdate()).isTrue();
        assertThat(sorting.current()).isEmpty();
    }

    @Test
    void aMoveThatNeverCommittedMarksTheStoppedCurrentVersionToBeStartedAgain() {
        ContainerSummary stopped = exited(2, 137, DOCKER_STARTED.plusSeconds(60));
        Intent leaving = Intent.start(Intent.REPLICASET, Intent.MOVE_OUT, "a", 2);

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 2), List.of(stopped), List.of(leaving));

        assertThat(sorting.actions()).as("the move made nothing here to remove").isEmpty();
        assertThat(sorting.current()).contains(stopped);
        assertThat(sorting.interruptedUpdate()).isTrue();
        assertThat(RepairRules.repair(record(ReplicaSetState.RUNNING, 2), sorting.current(), sorting.interruptedUpdate()))
                .isInstanceOfSatisfying(RepairRules.Decided.class, d -> assertThat(d.decision().actions()).singleElement().isInstanceOf(Start.class));
    }

    @Test
    void aContainerAnUnfinishedDeleteWasRemovingIsRemovedWithoutMarkingAnUpdate() {
        ContainerSummary c = running(2);
        Intent delete = Intent.deleting(Intent.REPLICASET, "a", 2, List.of(c.id()));

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 2), List.of(c), List.of(delete));

        assertThat(sorting.actions()).singleElement().isInstanceOf(Remove.class);
        assertThat(sorting.interruptedUpdate()).isFalse();
        assertThat(sorting.current()).as("removed, so not the current one").isEmpty();
    }

    @Test
    void aContainerAboveTheRecordedVersionWithNoIntentIsKeptAndStoppedIfItRuns() {
        ContainerSummary runs = running(3);
        ContainerSummary stopped = exited(4, 0, DOCKER_STARTED);

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 2), List.of(runs, stopped), List.of());

        assertThat(sorting.actions()).hasSize(3);
        assertThat(sorting.actions().get(0)).isInstanceOf(Stop.class).extracting(a -> ((Stop) a).container()).isEqualTo(runs);
        assertThat(sorting.actions().get(1)).isInstanceOf(Keep.class).extracting(a -> ((Keep) a).container()).isEqualTo(runs);
        assertThat(sorting.actions().get(2)).isInstanceOf(Keep.class).extracting(a -> ((Keep) a).container()).isEqualTo(stopped);
        assertThat(sorting.actions()).noneMatch(Remove.class::isInstance);
    }

    @Test
    void theContainerOfTheRecordedVersionIsTheCurrentOne() {
        ContainerSummary current = running(2);

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 2), List.of(current), List.of());

        assertThat(sorting.current()).contains(current);
        assertThat(sorting.actions()).isEmpty();
        assertThat(sorting.interruptedUpdate()).isFalse();
    }

    @Test
    void aSupersededContainerIsStoppedIfItRunsAndNeverRemoved() {
        ContainerSummary runs = running(1);

        Sorting sorting = RepairRules.sort(record(ReplicaSetState.RUNNING, 3), List.of(runs, exited(2, 0, DOCKER_STARTED)), List.of());

        assertThat(sorting.actions()).singleElement().isInstanceOf(Stop.class).extracting(a -> ((Stop) a).container()).isEqualTo(runs);
    }

    // ---- recorded running -------------------------------------------------------------------------

    @Test
    void runningWithItsContainerGoneIsRecordedStoppedAndHoldsNothing() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);

        Decision d = decided(RepairRules.repair(record, Optional.empty(), false));

        assertThat(d.record().state()).isEqualTo(ReplicaSetState.STOPPED);
        assertThat(d.record().gpus()).isEmpty();
        assertThat(d.record().ports()).isEmpty();
        assertThat(d.actions()).singleElement().isInstanceOf(Report.class);
    }

    @Test
    void runningWithItsContainerRunningIsKeptAndItsExitSightingsForgotten() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(running(2)), false));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).containsExactly(new ForgetExitsOf("id-2"));
    }

    @Test
    void runningWithItsContainerFrozenByACopyIsNeitherStartedNorChanged() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(paused(2)), true));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).containsExactly(new ForgetExitsOf("id-2"));
    }

    @Test
    void runningWithItsContainerStoppedByAnInterruptedUpdateIsStartedAgain() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 137, DOCKER_STARTED.plusSeconds(60));

        Decision d = decided(RepairRules.repair(record, Optional.of(c), true));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).singleElement().isInstanceOf(Start.class).extracting(a -> ((Start) a).container()).isEqualTo(c);
    }

    @Test
    void runningWithItsContainerStoppedOtherwiseAsksForACloserLook() {
        ContainerSummary c = exited(2, 137, DOCKER_STARTED.plusSeconds(60));

        assertThat(RepairRules.repair(record(ReplicaSetState.RUNNING, 2), Optional.of(c), false))
                .isInstanceOf(LookAtExit.class).extracting(r -> ((LookAtExit) r).container()).isEqualTo(c);
    }

    @Test
    void aContainerDockerStoppedWhenItWentAwayIsStartedAgain() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 137, DOCKER_STARTED.minusSeconds(5));

        Decision d = RepairRules.afterExitLook(record, c, new ExitLook(ContainerDetail.of(c).withExit(137, DOCKER_STARTED.minusSeconds(5)), Optional.of(DOCKER_STARTED)), Status.NEW);

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).singleElement().isInstanceOf(Start.class);
    }

    @Test
    void aContainerWhoseStopTimeIsUnknownIsStartedAgain() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, null, null);

        Decision d = RepairRules.afterExitLook(record, c, new ExitLook(ContainerDetail.of(c).withExit(null, null), Optional.of(DOCKER_STARTED)), Status.NEW);

        assertThat(d.actions()).singleElement().isInstanceOf(Start.class);
    }

    @Test
    void anExitFirstSeenIsNotYetBelieved() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 7, DOCKER_STARTED.plusSeconds(60));

        Decision d = RepairRules.afterExitLook(record, c, new ExitLook(ContainerDetail.of(c).withExit(7, DOCKER_STARTED.plusSeconds(60)), Optional.of(DOCKER_STARTED)), Status.NEW);

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).containsExactly(new NoteExit(new Sighting("id-2", DOCKER_STARTED.plusSeconds(60), DOCKER_STARTED)));
    }

    @Test
    void anExitSeenAgainWithinTheGraceIsNotYetBelieved() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 7, DOCKER_STARTED.plusSeconds(60));

        Decision d = RepairRules.afterExitLook(record, c, new ExitLook(ContainerDetail.of(c).withExit(7, DOCKER_STARTED.plusSeconds(60)), Optional.of(DOCKER_STARTED)), Status.WITHIN_GRACE);

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void anExitSeenAgainAfterTheGraceIsRecordedExitedAndKeepsItsGpusAndPorts() {
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 7, DOCKER_STARTED.plusSeconds(60));

        Decision d = RepairRules.afterExitLook(record, c, new ExitLook(ContainerDetail.of(c).withExit(7, DOCKER_STARTED.plusSeconds(60)), Optional.of(DOCKER_STARTED)), Status.OUTLASTED_GRACE);

        assertThat(d.record().state()).isEqualTo(ReplicaSetState.EXITED);
        assertThat(d.record().gpus()).isEqualTo(record.gpus());
        assertThat(d.record().ports()).isEqualTo(record.ports());
        assertThat(d.actions()).hasSize(2);
        assertThat(d.actions().get(0)).isEqualTo(new ForgetExit(new Sighting("id-2", DOCKER_STARTED.plusSeconds(60), DOCKER_STARTED)));
        assertThat(d.actions().get(1)).isInstanceOf(Report.class);
    }

    @Test
    void whenDockerCannotTellWhenItStartedAnExitIsTheProcesssOwn() {
        ContainerSummary c = exited(2, 137, DOCKER_STARTED.minusSeconds(5));

        Decision d = RepairRules.afterExitLook(record(ReplicaSetState.RUNNING, 2), c, new ExitLook(ContainerDetail.of(c).withExit(137, DOCKER_STARTED.minusSeconds(5)), Optional.empty()), Status.NEW);

        assertThat(d.actions()).containsExactly(new NoteExit(new Sighting("id-2", DOCKER_STARTED.minusSeconds(5), null)));
    }

    @Test
    void theGraceRunsFromTheFirstSightingOfTheSameExitUnderTheSameDaemon() {
        AtomicLong now = new AtomicLong();
        ExitSightings exits = new ExitSightings(Duration.ofSeconds(15), now::get);
        ReplicaSetRecord record = record(ReplicaSetState.RUNNING, 2);
        ContainerSummary c = exited(2, 7, DOCKER_STARTED.plusSeconds(60));
        ExitLook look = new ExitLook(ContainerDetail.of(c).withExit(7, DOCKER_STARTED.plusSeconds(60)), Optional.of(DOCKER_STARTED));
        Map<ReplicaSetState, Integer> seen = new HashMap<>();

        for (long at : new long[] {0, Duration.ofSeconds(14).toNanos(), Duration.ofSeconds(15).toNanos()}) {
            now.set(at);
            Decision d = RepairRules.afterExitLook(record, c, look, exits.status(look.sighting(c)));
            d.actions().forEach(a -> {
                if (a instanceof NoteExit n) {
                    exits.note(n.sighting());
                } else if (a instanceof ForgetExit f) {
                    exits.forget(f.sighting());
                }
            });
            seen.merge(d.record().state(), 1, Integer::sum);
        }

        assertThat(seen).containsEntry(ReplicaSetState.RUNNING, 2).containsEntry(ReplicaSetState.EXITED, 1);
        assertThat(exits.status(look.sighting(c))).as("forgotten once believed").isEqualTo(Status.NEW);
    }

    // ---- recorded paused, stopped, exited ---------------------------------------------------------

    @Test
    void pausedWithItsContainerGoneIsRecordedStopped() {
        Decision d = decided(RepairRules.repair(record(ReplicaSetState.PAUSED, 2), Optional.empty(), false));

        assertThat(d.record().state()).isEqualTo(ReplicaSetState.STOPPED);
        assertThat(d.actions()).singleElement().isInstanceOf(Report.class);
    }

    @Test
    void pausedWithItsContainerRunningIsStopped() {
        ReplicaSetRecord record = record(ReplicaSetState.PAUSED, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(running(2)), false));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).singleElement().isInstanceOf(Stop.class);
    }

    @Test
    void pausedWithItsContainerStoppedIsLeftAsItIs() {
        ReplicaSetRecord record = record(ReplicaSetState.PAUSED, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(exited(2, 0, DOCKER_STARTED)), false));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void stoppedWithItsContainerStartedOutsideTheServiceIsStopped() {
        ReplicaSetRecord record = record(ReplicaSetState.STOPPED, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(running(2)), false));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).singleElement().isInstanceOf(Stop.class);
    }

    @Test
    void aUsersStopStaysStoppedWhateverDockerDid() {
        ReplicaSetRecord record = record(ReplicaSetState.STOPPED, 2);

        Decision stoppedContainer = decided(RepairRules.repair(record, Optional.of(exited(2, 137, DOCKER_STARTED.minusSeconds(5))), true));
        Decision gone = decided(RepairRules.repair(record, Optional.empty(), false));

        assertThat(stoppedContainer.record()).isSameAs(record);
        assertThat(stoppedContainer.actions()).isEmpty();
        assertThat(gone.record()).isSameAs(record);
        assertThat(gone.actions()).isEmpty();
    }

    @Test
    void exitedWithItsContainerGoneIsRecordedStopped() {
        Decision d = decided(RepairRules.repair(record(ReplicaSetState.EXITED, 2), Optional.empty(), false));

        assertThat(d.record().state()).isEqualTo(ReplicaSetState.STOPPED);
        assertThat(d.record().gpus()).isEmpty();
    }

    @Test
    void exitedWithItsContainerStartedOutsideTheServiceIsRecordedRunning() {
        Decision d = decided(RepairRules.repair(record(ReplicaSetState.EXITED, 2), Optional.of(running(2)), false));

        assertThat(d.record().state()).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(d.actions()).singleElement().isInstanceOf(Report.class);
    }

    @Test
    void exitedStaysExitedAndIsNeverStartedBehindTheUsersBack() {
        ReplicaSetRecord record = record(ReplicaSetState.EXITED, 2);

        Decision d = decided(RepairRules.repair(record, Optional.of(exited(2, 7, DOCKER_STARTED.minusSeconds(5))), true));

        assertThat(d.record()).isSameAs(record);
        assertThat(d.actions()).isEmpty();
    }

    // ---- leftovers of replicasets with no record --------------------------------------------------

    @Test
    void aLeftoverIsRemovedOnlyOnTheWordOfAnIntentAndEveryOtherIsKept() {
        Intent create = Intent.start(Intent.REPLICASET, "create", "a", 1);
        ContainerSummary proven = withOperation(running(1), create.id());
        ContainerSummary unproven = withOperation(running(2), "some-finished-operation");

        List<RepairAction> actions = RepairRules.leftovers("a", List.of(proven, unproven), List.of(create));

        assertThat(actions).hasSize(2);
        assertThat(actions.get(0)).isInstanceOf(Remove.class).extracting(a -> ((Remove) a).container()).isEqualTo(proven);
        assertThat(actions.get(1)).isInstanceOf(Keep.class).extracting(a -> ((Keep) a).container()).isEqualTo(unproven);
    }

    @Test
    void withNoIntentNothingOfARecordlessReplicaSetIsRemoved() {
        assertThat(RepairRules.leftovers("a", List.of(running(1), exited(2, 0, DOCKER_STARTED)), List.of()))
                .allMatch(Keep.class::isInstance).hasSize(2);
    }

    // ---- fixtures ---------------------------------------------------------------------------------

    private static Decision decided(RepairRules.StateRepair repair) {
        assertThat(repair).isInstanceOf(Decided.class);
        return ((Decided) repair).decision();
    }

    private static ReplicaSetRecord record(ReplicaSetState state, long version) {
        return new ReplicaSetRecord("a", version, state, List.of("GPU-a"), Map.of("22/tcp", 40000), Instant.now(), Instant.now(), null);
    }

    private static Map<String, String> labels(long version) {
        return ManagedLabels.replicaSetVersion("/t", "a", version);
    }

    private static ContainerSummary running(long version) {
        return new ContainerSummary("id-" + version, "a-" + version, "running", true, false, labels(version));
    }

    private static ContainerSummary paused(long version) {
        return new ContainerSummary("id-" + version, "a-" + version, "paused", false, true, labels(version));
    }

    /** A stopped container as a list shows it; how it ended is what an inspect adds ({@link ContainerDetail#withExit}). */
    private static ContainerSummary exited(long version, Integer code, Instant finished) {
        return new ContainerSummary("id-" + version, "a-" + version, "exited", false, false, labels(version));
    }

    private static ContainerSummary withOperation(ContainerSummary c, String operation) {
        Map<String, String> labels = new HashMap<>(c.labels());
        labels.put(ManagedLabels.OPERATION, operation);
        return new ContainerSummary(c.id(), c.name(), c.status(), c.running(), c.paused(), labels);
    }
}
