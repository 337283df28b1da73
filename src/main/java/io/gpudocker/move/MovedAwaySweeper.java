package io.gpudocker.move;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a move leaves on its source: version N stopped (and older versions), and the volumes' old versions, kept for a
 * move back. The move's transaction writes {@code moved-away/<source>/<name>}; this node removes what that key lists
 * once the replicaset is deleted (its record gone), and forgets the key once the replicaset is back here (its versions
 * are history of this node again).
 */
public class MovedAwaySweeper {
    private static final Logger log = LoggerFactory.getLogger(MovedAwaySweeper.class);

    /** What a move left on its source. */
    public record Left(String name, long lastVersion, List<String> volumes, String to, Instant at) {}

    private final KeyValueStore store;
    private final Keys keys;
    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final NameLocks locks;
    private final String owner;

    public MovedAwaySweeper(KeyValueStore store, Keys keys, ReplicaSetRepository repo, ContainerEngine engine, VolumeEngine volumeEngine, NameLocks locks,
                            String owner) {
        this.store = store;
        this.keys = keys;
        this.repo = repo;
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.locks = locks;
        this.owner = owner;
    }

    public void sweep() {
        for (KeyValue kv : store.list(keys.movedAway(keys.node()))) {
            Left left = Json.read(kv.value(), Left.class);
            try (var held = locks.lock(left.name())) {
                Optional<ReplicaSetRecord> record = repo.find(left.name()).map(s -> s.record());
                if (record.isPresent() && !keys.node().equals(record.get().node())) {
                    continue;
                }
                if (record.isEmpty()) {
                    removeWhatWasLeft(left);
                }
                store.commit(new Txn().requireModRevision(kv.key(), kv.modRevision()).delete(kv.key()));
            }
        }
    }

    private void removeWhatWasLeft(Left left) {
        for (ContainerSummary c : engine.listByLabels(ManagedLabels.replicaSet(owner, left.name()))) {
            if (ManagedLabels.version(c.labels()) <= left.lastVersion()) {
                Undo.quietly(() -> engine.remove(c.name()));
            }
        }
        for (String v : left.volumes()) {
            Undo.quietly(() -> volumeEngine.removeVolume(v));
        }
        log.info("replicaset {} is deleted: removed the versions up to {} and the volume versions {} its move to node {} left here",
                left.name(), left.lastVersion(), left.volumes(), left.to());
    }
}
