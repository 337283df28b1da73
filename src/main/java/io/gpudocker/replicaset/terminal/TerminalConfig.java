package io.gpudocker.replicaset.terminal;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRepository;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * The browser terminal: tickets from {@code POST /api/v1/replicaSet/{name}/terminal}, spent on the WebSocket
 * {@code /ws/terminal}. Same-origin only (Spring's default for a handler without allowed origins), so another
 * site cannot open it in a logged-in browser even with a stolen ticket, nor spend one.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class TerminalConfig implements WebSocketConfigurer {
    static final Duration TICKET_LIFETIME = Duration.ofSeconds(30);

    private final TerminalTickets tickets;
    private final TerminalSocket socket;

    TerminalConfig(ReplicaSetRepository repo, ContainerEngine engine, ObjectProvider<TerminalRelay> relay) {
        this.tickets = new TerminalTickets(repo, engine, TICKET_LIFETIME, Clock.systemUTC());
        this.socket = new TerminalSocket(tickets, engine, relay.getIfAvailable());
    }

    @Bean
    TerminalTickets terminalTickets() {
        return tickets;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // Spring appends its own origin check after these: registered first here, a page of another site is
        // refused before the ticket check spends the ticket it learnt
        registry.addHandler(socket, "/ws/terminal").addInterceptors(new OriginHandshakeInterceptor(), socket);
    }
}
