package io.gpudocker.volume;

import io.gpudocker.common.FrozenContainers;
import io.gpudocker.docker.ContainerEngine;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes the containers that mount a volume for the length of a copy (Docker's pause, the cgroup freezer),
 * so the copy is the volume at one instant while its users keep their memory, processes and connections.
 * Only containers this call froze are thawed: one the user had paused stays paused.
 */
public class ContainerFreeze {
    private static final Logger log = LoggerFactory.getLogger(ContainerFreeze.class);

    private final ContainerEngine engine;
    private final FrozenContainers inFlight;

    /** @param inFlight told of each container while it is frozen here, so the reconcile leaves it be */
    public ContainerFreeze(ContainerEngine engine, FrozenContainers inFlight) {
        this.engine = engine;
        this.inFlight = inFlight;
    }

    /** The containers one call froze; closing thaws them, whatever happened meanwhile, and never throws. */
    public final class Frozen implements AutoCloseable {
        private final List<String> containers;

        private Frozen(List<String> containers) {
            this.containers = List.copyOf(containers);
        }

        public List<String> containers() { return containers; }

        @Override
        public void close() {
            for (String c : containers) {
                try {
                    engine.unpause(c);
                } catch (RuntimeException e) {
                    log.error("container {} could not be thawed after the volume copy; the reconcile tries again (`docker unpause {}` resumes it): {}", c, c, e.getMessage());
                } finally {
                    inFlight.remove(c);
                }
            }
        }
    }

    /** Nothing frozen: for a copy that runs beside its containers. */
    public Frozen none() {
        return new Frozen(List.of());
    }

    /**
     * Pauses those of {@code containers} that run. If one cannot be paused, those already paused are thawed
     * again and the failure is thrown, so no container is left frozen by a copy that never ran.
     */
    public Frozen freeze(List<String> containers) {
        List<String> frozen = new ArrayList<>();
        try {
            for (String c : containers) {
                boolean running = engine.inspect(c).map(v -> v.running() && "running".equals(v.status())).orElse(false);
                if (running) {
                    // named before the pause: a reconcile pass in between must not thaw it; one that
                    // may have been paused all the same is the reconcile's to thaw
                    inFlight.add(c);
                    try {
                        engine.pause(c);
                    } catch (RuntimeException e) {
                        inFlight.remove(c);
                        throw e;
                    }
                    frozen.add(c);
                }
            }
        } catch (RuntimeException e) {
            new Frozen(frozen).close();
            throw e;
        }
        if (!frozen.isEmpty()) {
            log.info("froze {} for a consistent copy of the volume they mount", frozen);
        }
        return new Frozen(frozen);
    }
}
