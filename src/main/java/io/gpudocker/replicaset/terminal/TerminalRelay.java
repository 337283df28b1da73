package io.gpudocker.replicaset.terminal;

import java.net.URI;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A terminal whose ticket another node issued (its instance runs there): the browser's socket here is joined to
 * one opened on that node with the same ticket, and every frame passes through both ways.
 */
public interface TerminalRelay {

    /** The ticket as this node issues it: with a seal only a node of this cluster can make. */
    String seal(String ticket);

    /**
     * Whether a ticket another node issued carries a valid seal; checked before any connection to that node is
     * opened, so an unauthenticated upgrade naming a node is never relayed.
     */
    boolean sealed(String ticket);

    /** Opens the terminal on {@code node} (the ticket and size in {@code uri}'s query) and joins it to {@code browser}. */
    void open(WebSocketSession browser, String node, URI uri);

    /** A frame from the browser, for the other node. */
    void toNode(WebSocketSession browser, WebSocketMessage<?> message);

    /** The browser left: the other node's socket (and so the shell) closes too. */
    void closed(WebSocketSession browser);
}
