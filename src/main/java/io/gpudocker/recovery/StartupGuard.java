package io.gpudocker.recovery;

import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.StoreUnavailableException;
import io.gpudocker.volume.VolumeJanitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before anything acts on etcd's word: checks that etcd is the record of what Docker holds under this prefix.
 * If it is, this deployment's identity is confirmed (written first on a fresh deployment). If Docker holds
 * containers or volumes etcd does not know (a fresh, wiped or wrong etcd, or a wrong prefix), the start is
 * refused and nothing is changed, unless {@code --recover} asks for their records to be rebuilt.
 */
public class StartupGuard implements StartupCheck, org.springframework.core.Ordered {
    /** After the single-node layout is claimed (so this node's records are counted), before the node registers. */
    @Override
    public int getOrder() { return 0; }

    private static final Logger log = LoggerFactory.getLogger(StartupGuard.class);

    private final ClusterIdentity identity;
    private final CensusTaker census;
    private final RecordRebuilder rebuilder;
    private final VolumeJanitor janitor;
    private final boolean recover;
    private final OriginalImport importOriginal;
    private final String etcd;
    private final String prefix;

    /** @param importOriginal run once the identity is confirmed (--import-original); null: not asked for */
    StartupGuard(ClusterIdentity identity, CensusTaker census, RecordRebuilder rebuilder, VolumeJanitor janitor, boolean recover,
                 OriginalImport importOriginal, String etcd, String prefix) {
        this.identity = identity;
        this.census = census;
        this.rebuilder = rebuilder;
        this.janitor = janitor;
        this.recover = recover;
        this.importOriginal = importOriginal;
        this.etcd = etcd;
        this.prefix = prefix;
    }

    @Override
    public void verify() {
        Optional<Cluster> cluster = identity.read();
        Census found = census.take(cluster);
        // an import that must be refused is refused before anything, even a new cluster id, is written
        ImportPlanner.Plan imports = importOriginal == null ? null : importOriginal.plan();
        if (!found.clean()) {
            if (!recover) {
                throw refusal(found, cluster);
            }
            recover(found, cluster);
        } else if (recover) {
            log.info("--recover: nothing to rebuild, etcd knows every container and volume Docker holds under prefix {}", prefix);
        }
        if (cluster.isEmpty() && found.clean()) {
            Cluster written = identity.createIfAbsent(Cluster.fresh());
            log.info("new deployment: cluster id {} written to etcd {} under prefix {}", written.id(), etcd, prefix);
        }
        Cluster confirmed = identity.confirm();
        log.info("etcd {} is the record of this deployment (cluster id {}, prefix {})", etcd, confirmed.id(), prefix);
        if (imports != null) {
            importOriginal.adopt(imports);
        }
        janitor.schedule();
    }

    /** The identity first, adopting the ids the objects carry, then the records: a crash in between is recovered by running again. */
    private void recover(Census found, Optional<Cluster> cluster) {
        if (!found.clashes().isEmpty()) {
            String message = String.format("refusing to recover: Docker holds %s under prefix %s, made under cluster id(s) %s, but etcd %s "
                    + "has records of %s made by another deployment. Nothing was changed.", found.describe(), prefix, found.clusterIds(), etcd, found.clashes());
            String action = "Check -e and gda.etcd.prefix: this etcd is not the one these instances were made with.";
            throw new StartRefusedException(message, action);
        }
        List<String> ids = new ArrayList<>(found.clusterIds());
        log.warn("--recover: rebuilding the records of {} from what Docker holds", found.describe());
        if (cluster.isEmpty()) {
            Cluster written = identity.createIfAbsent(Cluster.fresh().adopting(ids));
            log.info("--recover: cluster id {} written to etcd {}, adopting the ids {} the objects were made under", written.id(), etcd, ids);
        } else if (!identity.adopt(ids)) {
            throw new StoreUnavailableException("the cluster id in etcd " + etcd + " changed while recovering; start again", null);
        }
        Census remaining = census.take(identity.read());
        List<String> skipped = rebuilder.rebuild(remaining);
        if (skipped.isEmpty()) {
            log.info("--recover: rebuilt the records of {}", remaining.describe());
        } else {
            log.warn("--recover: could not rebuild {} (see above); their objects are kept, and a start without --recover refuses again until "
                    + "they are removed on purpose", skipped);
        }
    }

    private StartRefusedException refusal(Census found, Optional<Cluster> cluster) {
        String why = cluster.isEmpty()
                ? "etcd holds no cluster id under this prefix: it is fresh or was wiped, or -e or gda.etcd.prefix names the wrong one"
                : "etcd's cluster id " + cluster.get().id() + " does not account for them (no record, no unfinished operation, "
                        + "or made under cluster id(s) " + found.clusterIds() + "): etcd may have been replaced or restored, or -e names the wrong one";
        String message = String.format("refusing to start: Docker holds %s under prefix %s that etcd %s does not know; %s. Nothing was changed.",
                found.describe(), prefix, etcd, why);
        String action = "Either start again with --recover to rebuild their records from what Docker holds, or remove them on purpose with "
                + "scripts/reset.sh --containers -e " + etcd + " -p " + prefix + " (this deletes the instances and volumes and their data).";
        return new StartRefusedException(message, action);
    }
}
