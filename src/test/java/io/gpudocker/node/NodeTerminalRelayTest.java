package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.gpudocker.store.Keys;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/** Only tickets a node of this cluster sealed are relayed, and no more relays at once than the cap. */
class NodeTerminalRelayTest {
    private static final ClusterSecret SHARED = ClusterSecret.of(ClusterSecret.derive("it-admin-token-0123456789abcdef", "cluster-id"));
    private final NodeDirectory directory = mock(NodeDirectory.class);
    private final NodeTerminalRelay here = new NodeTerminalRelay(directory, null,
            new InterNodeCredential(SHARED, new Keys("/p", "a"), Clock.systemUTC()), 1);

    @Test
    void aTicketSealedByAnotherNodeOfTheClusterIsVouchedForAndAForgedOneIsNot() {
        NodeTerminalRelay other = new NodeTerminalRelay(directory, null, new InterNodeCredential(SHARED, new Keys("/p", "b"), Clock.systemUTC()), 1);
        String ticket = other.seal("b~" + "ab".repeat(24));

        assertThat(here.sealed(ticket)).isTrue();
        assertThat(here.sealed("b~" + "ab".repeat(24))).as("no seal").isFalse();
        assertThat(here.sealed("b~" + "cd".repeat(24) + ticket.substring(ticket.lastIndexOf('.')))).as("another ticket's seal").isFalse();
        assertThat(here.sealed(null)).isFalse();
        NodeTerminalRelay stranger = new NodeTerminalRelay(directory, null,
                new InterNodeCredential(ClusterSecret.of(new byte[32]), new Keys("/p", "c"), Clock.systemUTC()), 1);
        assertThat(here.sealed(stranger.seal("b~" + "ab".repeat(24)))).as("another cluster's secret").isFalse();
    }

    @Test
    void aRelayToANodeThatIsDownGivesItsPlaceBack() {
        when(directory.live("b")).thenReturn(Optional.empty());
        for (int i = 0; i < 3; i++) {
            WebSocketSession browser = mock(WebSocketSession.class);
            when(browser.getId()).thenReturn("s" + i);
            when(browser.getAttributes()).thenReturn(Map.of());
            here.open(browser, "b", URI.create("/ws/terminal?ticket=x"));
            ArgumentCaptor<CloseStatus> status = ArgumentCaptor.forClass(CloseStatus.class);
            try {
                verify(browser).close(status.capture());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertThat(status.getValue().getReason()).as("try %d: not refused for the cap", i).contains("is down");
        }
    }

    @Test
    void whereNoPlaceIsLeftTheBrowserIsTurnedAwayBeforeAnyLookupOrConnection() throws Exception {
        NodeTerminalRelay full = new NodeTerminalRelay(directory, null, new InterNodeCredential(SHARED, new Keys("/p", "a"), Clock.systemUTC()), 0);
        WebSocketSession browser = mock(WebSocketSession.class);
        when(browser.getId()).thenReturn("s");

        full.open(browser, "b", URI.create("/ws/terminal?ticket=x"));

        ArgumentCaptor<CloseStatus> status = ArgumentCaptor.forClass(CloseStatus.class);
        verify(browser).close(status.capture());
        assertThat(status.getValue().getReason()).contains("gda.sessions.max-relays");
        verifyNoInteractions(directory);
    }
}
