package io.gpudocker.docker;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the service needs of the Docker engine, named for the domain rather than for Docker's API; its volumes: {@link VolumeEngine}. */
public interface ContainerEngine {

    /**
     * The image a reference (name, name:tag, name@digest, full or short id, {@code sha256:} id) names on this host, resolved
     * as Docker resolves it when it creates a container from that reference.
     */
    Optional<ImageSummary> inspectImage(String reference);

    /** The image's labels, if the image is on this host (an image without labels gives an empty map). */
    default Optional<Map<String, String>> imageLabels(String image) {
        return inspectImage(image).map(ImageSummary::labels);
    }

    default boolean imageExists(String image) {
        return imageLabels(image).isPresent();
    }

    /** Creates (does not start) a container; returns its id. */
    String create(ContainerSpec spec);

    void start(String nameOrId);

    /**
     * As {@link #start(String)}, telling {@code checked} when what is checked before the start (the program exists,
     * host-path binds are in place) is done and the start proper begins: a create times the two apart.
     */
    default void start(String nameOrId, Runnable checked) {
        checked.run();
        start(nameOrId);
    }

    /** Stops a running container; a container that is already stopped is fine. */
    void stop(String nameOrId);

    /** Removes a container if it exists (force); its named volumes stay. */
    void remove(String nameOrId);

    /** Freezes every process of a running container (cgroup freezer); a paused container is fine. */
    void pause(String nameOrId);

    /** Thaws a paused container; one that is not paused is fine. */
    void unpause(String nameOrId);

    Optional<ContainerDetail> inspect(String nameOrId);

    /**
     * How many exec sessions run in the container now (this service's executes and terminals, and any {@code docker exec});
     * 0 for a container that does not exist. Docker forgets an exec once it ends.
     */
    int runningExecs(String nameOrId);

    /** How the container was made (image, cmd, env, binds, GPUs, port bindings), if it exists. */
    Optional<ContainerSettings> settings(String nameOrId);

    /** Every container (running or not) carrying all of these labels. */
    List<ContainerSummary> listByLabels(Map<String, String> labels);

    ExecResult exec(String nameOrId, String workDir, List<String> cmd, Duration timeout);

    /** Every image on the host. */
    List<ImageSummary> listImages();

    /**
     * Starts {@code cmd} in the running container with a terminal of the given size and stdin attached; its
     * output goes to {@code output} until it ends or the returned shell is closed.
     */
    Shell openShell(String nameOrId, List<String> cmd, int columns, int rows, Shell.Output output);

    /**
     * Starts {@code cmd} in the running container with its input, output and errors as byte streams, with a terminal of
     * the given size or without one.
     */
    ContainerProcess startProcess(String nameOrId, List<String> cmd, boolean tty, Map<String, String> env, int columns, int rows);

    /** The container's address on its network (the first, where it has several), while it runs. */
    default Optional<String> address(String nameOrId) {
        return Optional.empty();
    }

    /** Saves the container's filesystem (not its volumes) as an image; returns the image id. */
    String commit(String nameOrId, String imageName);

    /**
     * Removes the image with this id if nothing holds it any more: no tag, no container. One still tagged or used is
     * left as it is (false), as is one already gone.
     */
    boolean removeUnusedImage(String id);

    /**
     * Copies the container's stdout/stderr to {@code out}; with {@code follow}, until the container stops, the stream
     * fails, or nothing arrived for {@code idleTimeout}.
     */
    void logs(String nameOrId, int tail, boolean follow, Duration idleTimeout, OutputStream out);

    EngineInfo info();

    /** Takes down the host-path bind mounts of containers that no longer exist; the reconcile's janitor calls it. */
    default void releaseLeftoverBindMounts() {}

    /**
     * When the daemon last started, where it can tell: a container of a running instance that stopped before
     * this was stopped by Docker going away (a restart, a reboot), not by its own process exiting.
     */
    Optional<Instant> startedAt();

    void ping();
}
