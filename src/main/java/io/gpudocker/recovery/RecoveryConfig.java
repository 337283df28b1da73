package io.gpudocker.recovery;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Operations;
import io.gpudocker.volume.VolumeJanitor;
import io.gpudocker.volume.VolumeRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the start-up guard: etcd must be the record of what Docker holds, or the start is refused (or, with --recover, rebuilt). */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfig {

    @Bean
    StartupGuard startupGuard(ClusterIdentity identity, ContainerEngine engine, ReplicaSetRepository replicaSets, VolumeRepository volumes,
                              Operations operations, VolumeJanitor janitor, GdaProperties props) {
        String prefix = props.etcd().prefix();
        CensusTaker census = new CensusTaker(engine, replicaSets, volumes, operations, prefix);
        return new StartupGuard(identity, census, new RecordRebuilder(replicaSets, volumes), janitor, props.recover(),
                String.join(",", props.etcd().endpoints()), prefix);
    }
}
