package io.gpudocker.access;

import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection that switched protocols from this side. Closing a {@link WebConnection}'s streams is all the
 * servlet API offers, and Tomcat drops the socket only on its own next I/O event, which blocking reads and writes
 * from the tunnel's threads never produce: a tunnel cut for idleness or closed by the app would leave the client
 * waiting. So the socket Tomcat holds under the input stream is closed too, where it can be reached.
 */
final class UpgradedConnections {
    private static final Logger log = LoggerFactory.getLogger(UpgradedConnections.class);

    private UpgradedConnections() {}

    static void close(WebConnection connection) {
        Object socket = null;
        try {
            Object in = connection.getInputStream();
            Field f = in.getClass().getDeclaredField("socketWrapper");
            f.setAccessible(true);
            socket = f.get(in);
        } catch (ReflectiveOperationException | RuntimeException | java.io.IOException e) {
            log.debug("the upgraded connection's socket is out of reach ({}): closing its streams only", e.toString());
        }
        try {
            connection.close();
        } catch (Exception e) {
            log.debug("closing an upgraded connection: {}", e.toString());
        }
        if (socket != null) {
            try {
                socket.getClass().getMethod("close").invoke(socket);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("closing an upgraded connection's socket: {}", e.toString());
            }
        }
    }
}
