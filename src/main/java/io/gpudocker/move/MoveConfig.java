package io.gpudocker.move;

import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.copy.ConfinedCommand;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.node.Forwarder;
import io.gpudocker.node.InterNodeCredential;
import io.gpudocker.node.NodeConfig;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.node.NodeQueries;
import io.gpudocker.node.Placement;
import io.gpudocker.replicaset.HoldingsReservations;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.store.Intents;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeSizeSupport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.nio.file.Path;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class MoveConfig {
    @Bean
    NodeCalls moveNodeCalls(NodeDirectory directory, Forwarder forwarder, InterNodeCredential credential, GdaProperties props) {
        return new NodeCalls(directory, forwarder, credential, props.node().name(), NodeConfig.trust(props.node().trustStore()));
    }

    @Bean
    TarStreams moveTarStreams(ConfinedCommand confined, GdaProperties props) {
        return new TarStreams(confined, MoveMarks.clearedAt(Path.of(props.stateDir(), "moves")));
    }

    @Bean
    MoveIn moveIn(ReplicaSetRepository repo, ContainerEngine engine, VolumeEngine volumeEngine, VersionContainers containers, HoldingsReservations reservations,
                  NameLocks locks, Intents intents, KeyValueStore store, Keys keys, DockerVolumes dockerVolumes, VolumeSizeSupport sizeSupport, NodeCalls calls, TarStreams tar,
                  SystemDiskCopier copier, GdaProperties props) {
        return new MoveIn(repo, engine, volumeEngine, containers, reservations, locks, intents, store, keys, dockerVolumes, sizeSupport, calls, tar, copier,
                props.move().idleLimit(), Clock.systemUTC());
    }

    @Bean
    MoveOut moveOut(ReplicaSetRepository repo, VolumeRepository volumes, ContainerEngine engine, VolumeEngine volumeEngine, HoldingsReservations reservations,
                    NameLocks locks, SystemDiskCopier copier, ProgressBoard progress, NodeDirectory directory, NodeCalls calls, TarStreams tar, Keys keys, Intents intents,
                    MeterRegistry metrics, GdaProperties props) {
        return new MoveOut(repo, volumes, engine, volumeEngine, reservations, locks, copier, progress, directory, calls, tar, keys, intents,
                props.move().preCopy(), metrics, Clock.systemUTC());
    }

    @Bean
    MovedAwaySweeper movedAwaySweeper(KeyValueStore store, Keys keys, ReplicaSetRepository repo, ContainerEngine engine, VolumeEngine volumeEngine,
                                      NameLocks locks, GdaProperties props) {
        return new MovedAwaySweeper(store, keys, repo, engine, volumeEngine, locks, props.etcd().prefix());
    }

    @Bean
    Drainer drainer(NodeDirectory directory, NodeQueries nodes, Placement placement, ReplicaSetRepository repo, MoveOut moves, NodeCalls calls) {
        return new Drainer(directory, nodes, placement, repo, moves, calls, Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    MoveSweeps moveSweeps(MoveIn in, MovedAwaySweeper away, GdaProperties props) {
        return new MoveSweeps(props.move().sweepEvery(), in, away);
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> moveSweepsStart(MoveSweeps sweeps, Drainer drainer) {
        return event -> {
            sweeps.start();
            // after the start-up reconcile: a move the drain was running when this node stopped is settled or undone by now
            drainer.resume();
        };
    }
}
