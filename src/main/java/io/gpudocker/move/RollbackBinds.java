package io.gpudocker.move;

import io.gpudocker.replicaset.bind.Bind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binds of a rollback made on another node. A volume is the instance's data, not part of a version: a local
 * rollback binds what version K bound, and a volume moved with the instance was made anew on the node it went to
 * (the version K bound is there too, but as it was at the move). So each volume version K binds whose volume the
 * current version binds too is bound as the current version binds it, and carried along as a move carries it, with
 * what the instance wrote since; a volume only K binds is bound as K bound it, where it is.
 *
 * @param binds version K's binds, those of carried volumes naming the current version's Docker volume
 * @param carried the current version's binds of the volumes that go along
 * @param kept version K's binds of volumes the current version does not bind, and host paths
 */
record RollbackBinds(List<Bind> binds, List<Bind> carried, List<Bind> kept) {

    /** Splits version K's binds by whether the current version binds a version of the same volume. */
    static RollbackBinds of(List<Bind> versionK, List<Bind> current) {
        List<Bind> binds = new ArrayList<>();
        List<Bind> carried = new ArrayList<>();
        List<Bind> kept = new ArrayList<>();
        for (Bind b : versionK) {
            Optional<Bind> now = b.isHostPath() ? Optional.empty() : current.stream()
                    .filter(c -> !c.isHostPath() && volumeOf(c.src()).equals(volumeOf(b.src()))).findFirst();
            if (now.isPresent()) {
                Bind moved = new Bind(now.get().src(), b.dest());
                binds.add(moved);
                if (carried.stream().noneMatch(c -> c.src().equals(moved.src()))) {
                    carried.add(moved);
                }
            } else {
                binds.add(b);
                kept.add(b);
            }
        }
        return new RollbackBinds(List.copyOf(binds), List.copyOf(carried), List.copyOf(kept));
    }

    /** The volume a Docker volume {@code name-N} is a version of. */
    static String volumeOf(String dockerName) {
        int dash = dockerName.lastIndexOf('-');
        return dash > 0 ? dockerName.substring(0, dash) : dockerName;
    }
}
