package io.gpudocker.replicaset.terminal;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.gpudocker.replicaset.SessionSlots;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Browsers cannot put a bearer header on a WebSocket, so a terminal is opened in two steps: an authenticated
 * call for a ticket (here, with the same ownership check as every call on the replicaset), then the WebSocket
 * with the ticket in its URL. A ticket is random, names one replicaset and caller, is good for one
 * connection, and expires quickly, so one that leaks in a log or history is worthless.
 */
public class TerminalTickets {
    /** What a redeemed ticket grants: a shell in this replicaset's current container, as this caller. */
    public record Grant(String replicaSet, Caller caller) {}

    private record Pending(Grant grant, Instant expires) {}

    static final String NODE_SEPARATOR = "~";

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final Duration lifetime;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private final SessionSlots open;
    private UnaryOperator<String> seal = UnaryOperator.identity();

    public TerminalTickets(ReplicaSetRepository repo, ContainerEngine engine, Duration lifetime, Clock clock) {
        this(repo, engine, lifetime, clock, null);
    }

    /** @param open the terminals open per caller: no ticket for a caller at its cap (null: no cap) */
    public TerminalTickets(ReplicaSetRepository repo, ContainerEngine engine, Duration lifetime, Clock clock, SessionSlots open) {
        this.open = open;
        this.repo = repo;
        this.engine = engine;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public ReplicaSetViews.TerminalTicket issue(String name, Caller caller) {
        runningContainer(name, caller);
        if (open != null) {
            open.requireRoom(caller);
        }
        Instant now = clock.instant();
        pending.values().removeIf(p -> !p.expires().isAfter(now));
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        // the node first: whichever node the browser's socket reaches knows where the shell must run
        String ticket = seal.apply(repo.localNode() + NODE_SEPARATOR + HexFormat.of().formatHex(bytes));
        Instant expires = now.plus(lifetime);
        pending.put(ticket, new Pending(new Grant(name, caller), expires));
        return new ReplicaSetViews.TerminalTicket(ticket, "/ws/terminal?ticket=" + ticket, expires);
    }

    /** Seals the tickets issued from now on, so that the other nodes of a cluster can tell them from forged ones. */
    public void sealWith(UnaryOperator<String> seal) {
        this.seal = seal;
    }

    /** The node that issued {@code ticket}, or null for a malformed one. */
    public static String nodeOf(String ticket) {
        int at = ticket == null ? -1 : ticket.lastIndexOf(NODE_SEPARATOR);
        return at > 0 ? ticket.substring(0, at) : null;
    }

    /** Whether this node issued it (and so runs its shell). */
    public boolean issuedHere(String ticket) {
        String node = nodeOf(ticket);
        return node == null || node.equals(repo.localNode());
    }

    /** The grant of a ticket that is known and unexpired; the ticket is spent either way. */
    public Optional<Grant> redeem(String ticket) {
        Pending p = ticket == null ? null : pending.remove(ticket);
        return p == null || !p.expires().isAfter(clock.instant()) ? Optional.empty() : Optional.of(p.grant());
    }

    /** The current container of a replicaset the caller owns, if it runs: a shell only lives in a running one. */
    public String runningContainer(String name, Caller caller) {
        ReplicaSetRecord record = repo.require(name, caller).record();
        return engine.inspect(record.containerName()).filter(ContainerDetail::running).map(ContainerDetail::name).orElseThrow(() -> ApiException.of(
                ErrorCode.INVALID_STATE, "replicaset '%s' is %s; a terminal opens only in a running container", name, record.state().name().toLowerCase()));
    }
}
