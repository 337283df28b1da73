package io.gpudocker.access;

import io.gpudocker.replicaset.SessionSlots;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxied exchange after the app switched protocols (101, a WebSocket): the client's connection and the app's joined
 * as raw byte streams both ways, each piece passed on as it arrives, nothing held. It ends when either side closes, or
 * when nothing passed either way for the idle timeout; then both connections close and the caller's slot is given back.
 */
public final class ProxyTunnel implements HttpUpgradeHandler {
    private static final Logger log = LoggerFactory.getLogger(ProxyTunnel.class);

    private Socket app;
    private InputStream fromApp;
    private SessionSlots.Slot slot;
    private long idleMillis;
    private LongConsumer counted;
    private String prefix;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastActivity = System.nanoTime();
    private volatile WebConnection client;

    /** The servlet container makes the handler; the proxy hands it the app's side before the 101 goes out. */
    public ProxyTunnel() {}

    void attach(Socket app, InputStream fromApp, SessionSlots.Slot slot, Duration idleTimeout, LongConsumer counted, String prefix) {
        this.app = app;
        this.fromApp = fromApp;
        this.slot = slot;
        this.idleMillis = idleTimeout.toMillis();
        this.counted = counted;
        this.prefix = prefix;
    }

    @Override
    public void init(WebConnection connection) {
        client = connection;
        try {
            InputStream fromClient = connection.getInputStream();
            OutputStream toClient = connection.getOutputStream();
            OutputStream toApp = app.getOutputStream();
            start("proxy-up " + prefix, () -> pump(fromClient, toApp));
            start("proxy-down " + prefix, () -> pump(fromApp, toClient));
        } catch (IOException e) {
            log.debug("proxy tunnel {} could not start: {}", prefix, e.toString());
            close();
        }
    }

    private static void start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }

    /** Copies one way; a read that times out (the app's socket's timeout is the idle timeout) ends it only where neither way carried anything. */
    private void pump(InputStream in, OutputStream out) {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (!closed.get()) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException quiet) {
                    if (Duration.ofNanos(System.nanoTime() - lastActivity).toMillis() < idleMillis) {
                        continue; // the other way carried something meanwhile
                    }
                    log.info("proxy: {} idle for {} s, cut", prefix, idleMillis / 1000);
                    return;
                }
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    lastActivity = System.nanoTime();
                    counted.accept(n);
                }
            }
        } catch (IOException e) {
            log.debug("proxy tunnel {} ended: {}", prefix, e.toString());
        } finally {
            close();
        }
    }

    private void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            app.close();
        } catch (IOException e) {
            log.debug("closing the app's side of {}: {}", prefix, e.toString());
        }
        WebConnection c = client;
        if (c != null) {
            UpgradedConnections.close(c);
        }
        slot.close();
    }

    @Override
    public void destroy() {
        close();
    }
}
