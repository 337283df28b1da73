package io.gpudocker.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A first read-only call to etcd or Docker, made on a thread of its own as soon as the client exists, while the main
 * thread goes on making the other beans: the connection is opened and the client's code loaded and compiled there,
 * so the start-up checks' first calls, which the web server waits for, find both done. Nothing waits for it and its
 * answer or failure is dropped: the checks that follow make the same calls and report what is wrong.
 */
final class ConnectionWarmUp {
    private static final Logger log = LoggerFactory.getLogger(ConnectionWarmUp.class);

    private ConnectionWarmUp() {}

    static void start(String what, Runnable call) {
        Thread thread = new Thread(() -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                log.debug("{}: the first call ahead of the start-up checks failed: {}", what, e.toString());
            }
        }, what + "-warm-up");
        thread.setDaemon(true);
        thread.start();
    }
}
