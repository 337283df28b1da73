package io.gpudocker.replicaset.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.replicaset.reconcile.ExitSightings.Sighting;
import io.gpudocker.replicaset.reconcile.ExitSightings.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An exit is believed only once a later look, the grace on, finds the same exit under the same daemon. */
class ExitSightingsTest {
    private static final Instant FINISHED = Instant.parse("2026-01-01T10:01:00Z");
    private static final Instant DOCKER_STARTED = Instant.parse("2026-01-01T10:00:00Z");

    private final AtomicLong now = new AtomicLong();
    private final ExitSightings exits = new ExitSightings(Duration.ofSeconds(15), now::get);
    private final Sighting sighting = new Sighting("id-a", FINISHED, DOCKER_STARTED);

    @Test
    void aSightingIsNewUntilNotedThenWithinTheGraceThenBeyondIt() {
        assertThat(exits.status(sighting)).isEqualTo(Status.NEW);
        exits.note(sighting);
        now.set(Duration.ofSeconds(14).toNanos());
        assertThat(exits.status(sighting)).isEqualTo(Status.WITHIN_GRACE);
        exits.note(sighting);
        now.set(Duration.ofSeconds(15).toNanos());
        assertThat(exits.status(sighting)).as("noting again does not move the first sighting").isEqualTo(Status.OUTLASTED_GRACE);
    }

    @Test
    void theSameExitUnderAnotherDaemonIsANewSighting() {
        exits.note(sighting);
        now.set(Duration.ofSeconds(60).toNanos());

        assertThat(exits.status(new Sighting("id-a", FINISHED, DOCKER_STARTED.plusSeconds(30)))).isEqualTo(Status.NEW);
    }

    @Test
    void aContainerSeenRunningForgetsItsSightings() {
        exits.note(sighting);
        exits.note(new Sighting("id-b", FINISHED, DOCKER_STARTED));

        exits.forgetContainer("id-a");

        assertThat(exits.status(sighting)).isEqualTo(Status.NEW);
        assertThat(exits.status(new Sighting("id-b", FINISHED, DOCKER_STARTED))).isEqualTo(Status.WITHIN_GRACE);
    }

    @Test
    void aBelievedExitIsForgotten() {
        exits.note(sighting);

        exits.forget(sighting);

        assertThat(exits.status(sighting)).isEqualTo(Status.NEW);
    }
}
