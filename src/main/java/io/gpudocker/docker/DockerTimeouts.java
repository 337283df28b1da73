package io.gpudocker.docker;

import java.time.Duration;

/**
 * How long a Docker call may take before the daemon counts as unavailable. A response timeout on the HTTP
 * client cannot do this: it is one value for every call, and on a unix socket (the usual Docker host) the
 * blocking read ignores it. So each call is bounded by what it does:
 *
 * @param response calls Docker answers at once (inspect, list, ping, info)
 * @param work calls where Docker works before it answers (create, start, remove, volume create and remove); a stop
 *             adds {@code stop}, the grace it gives the container
 * @param stop how long a stop lets the container's processes exit before Docker kills them
 */
public record DockerTimeouts(Duration response, Duration work, Duration stop) {

    Duration stopping() { return work.plus(stop); }
}
