package io.gpudocker.recovery;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.common.FrozenContainers;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Intents;
import io.gpudocker.volume.VolumeJanitor;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.volume.ContainerFreeze;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeDataCopier;
import io.gpudocker.volume.VolumeSizeSupport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Configuration;

/** Wires the start-up guard: etcd must be the record of what Docker holds, or the start is refused (or, with --recover, rebuilt). */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfig {

    @Bean
    StartupGuard startupGuard(ClusterIdentity identity, ContainerEngine engine, VolumeEngine volumeEngine, ReplicaSetRepository replicaSets, VolumeRepository volumes,
                              Intents operations, VolumeJanitor janitor, ObjectProvider<OriginalImport> importOriginal, GdaProperties props) {
        String prefix = props.etcd().prefix();
        CensusTaker census = new CensusTaker(engine, volumeEngine, replicaSets, volumes, operations, prefix);
        return new StartupGuard(identity, census, new RecordRebuilder(replicaSets, volumes), janitor, props.recover(),
                props.importOriginal() ? importOriginal.getObject() : null, String.join(",", props.etcd().endpoints()), prefix);
    }

    /** {@code --import-original}: made only when asked for. */
    @Bean
    @Lazy
    OriginalImport originalImport(KeyValueStore store, Keys keys, ContainerEngine engine, VolumeEngine volumeEngine, ReplicaSetRepository replicaSets, VolumeRepository volumes,
                                  VersionContainers containers, SystemDiskCopier diskCopier, DockerVolumes dockerVolumes, VolumeDataCopier dataCopier,
                                  VolumeSizeSupport sizeSupport, Intents operations, FrozenContainers frozen) {
        ImportPlanner planner = new ImportPlanner(new OriginalLayout(store, keys), keys, engine, volumeEngine, replicaSets, volumes, diskCopier, dockerVolumes);
        return new OriginalImport(planner, keys, engine, volumeEngine, replicaSets, volumes, containers, diskCopier, dockerVolumes,
                dataCopier, sizeSupport, new ContainerFreeze(engine, frozen), operations);
    }
}
