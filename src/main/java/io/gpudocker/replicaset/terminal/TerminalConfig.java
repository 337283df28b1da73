package io.gpudocker.replicaset.terminal;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.config.SessionLimits;
import io.gpudocker.replicaset.SessionSlots;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
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
class TerminalConfig implements WebSocketConfigurer, DisposableBean {
    static final Duration TICKET_LIFETIME = Duration.ofSeconds(30);

    private final TerminalTickets tickets;
    private final TerminalSocket socket;
    private final ScheduledExecutorService idleChecks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "terminal-idle");
        t.setDaemon(true);
        return t;
    });

    TerminalConfig(ReplicaSetRepository repo, ContainerEngine engine, ObjectProvider<TerminalRelay> relay) {
        this(repo, engine, relay, new SessionLimits(4, 16, Duration.ofMinutes(30), 4, 16, 64),
                new SessionSlots("terminal(s)", "gda.sessions.terminals-per-tenant", 4, 16));
    }

    /** @param open what each tenant holds open of shells (the SSH gateway's count too), with its quota on terminals */
    @Autowired
    TerminalConfig(ReplicaSetRepository repo, ContainerEngine engine, ObjectProvider<TerminalRelay> relay, SessionLimits limits,
                   @Qualifier("terminalSlots") SessionSlots open) {
        this.tickets = new TerminalTickets(repo, engine, TICKET_LIFETIME, Clock.systemUTC(), open);
        TerminalRelay relayed = relay.getIfAvailable();
        if (relayed != null) {
            tickets.sealWith(relayed::seal);
        }
        this.socket = new TerminalSocket(tickets, engine, relayed, open, limits.terminalIdleTimeout(), Clock.systemUTC());
        Duration period = socket.idleCheckPeriod();
        idleChecks.scheduleWithFixedDelay(socket::closeIdle, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        idleChecks.shutdownNow();
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
