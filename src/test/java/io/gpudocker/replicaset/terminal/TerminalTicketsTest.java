package io.gpudocker.replicaset.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.gpudocker.store.Stored;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TerminalTicketsTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private Instant now = Instant.parse("2025-01-01T08:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(ZoneId zone) { return this; }

        @Override
        public Instant instant() { return now; }
    };
    private final ReplicaSetRepository repo = mock(ReplicaSetRepository.class);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final TerminalTickets tickets = new TerminalTickets(repo, engine, Duration.ofSeconds(30), clock);

    @BeforeEach
    void aliceRunsFoo() {
        ReplicaSetRecord foo = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of(), Map.of(), now, now, "alice");
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(foo, 1));
        when(repo.localNode()).thenReturn("local");
        when(engine.inspect("foo-2")).thenReturn(Optional.of(ContainerDetail.of(new ContainerSummary("id2", "foo-2", "Up", true, false, Map.of()))));
        ReplicaSetRecord bar = new ReplicaSetRecord("bar", 1, ReplicaSetState.STOPPED, List.of(), Map.of(), now, now, "alice");
        when(repo.require("bar", ALICE)).thenReturn(new Stored<>(bar, 1));
        when(engine.inspect("bar-1")).thenReturn(Optional.of(ContainerDetail.of(new ContainerSummary("id1", "bar-1", "Exited", false, false, Map.of()))));
    }

    @Test
    void aTicketOpensOneTerminalOnlyAndNamesWhoAndWhere() {
        ReplicaSetViews.TerminalTicket t = tickets.issue("foo", ALICE);
        assertThat(t.ticket()).matches("local~[0-9a-f]{48}");
        assertThat(TerminalTickets.nodeOf(t.ticket())).isEqualTo("local");
        assertThat(tickets.issuedHere(t.ticket())).isTrue();
        assertThat(tickets.issuedHere("gpu2~" + t.ticket().substring(6))).as("another node's").isFalse();
        assertThat(t.path()).isEqualTo("/ws/terminal?ticket=" + t.ticket());
        assertThat(t.expires()).isEqualTo(now.plusSeconds(30));

        assertThat(tickets.redeem(t.ticket())).contains(new TerminalTickets.Grant("foo", ALICE));
        assertThat(tickets.redeem(t.ticket())).as("spent").isEmpty();
        assertThat(tickets.redeem("not-a-ticket")).isEmpty();
        assertThat(tickets.redeem(null)).isEmpty();
    }

    @Test
    void anExpiredTicketOpensNothing() {
        ReplicaSetViews.TerminalTicket t = tickets.issue("foo", ALICE);
        now = now.plusSeconds(30);
        assertThat(tickets.redeem(t.ticket())).isEmpty();
    }

    @Test
    void noTicketForAStoppedInstance() {
        assertThatThrownBy(() -> tickets.issue("bar", ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE))
                .hasMessageContaining("stopped");
    }
}
