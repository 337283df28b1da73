package io.gpudocker.volume;

import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.copy.CopySlots;
import io.gpudocker.common.FrozenContainers;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.copy.ConfinedCommand;
import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.config.QuotaSettings;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Usage;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intents;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Wires the volume feature onto the shared store, engine, name locks and work queue. */
@Configuration(proxyBeanMethods = false)
public class VolumeConfig {

    @Bean
    VolumeRepository volumeRepository(KeyValueStore store, Keys keys, Intents operations, QuotaLedger quotas, QuotaSettings quota) {
        VolumeRepository repo = new VolumeRepository(store, keys, operations);
        if (quota.enabled()) {
            repo.addChangeHook(new VolumeQuotaHook(quotas));
            quotas.addSource(tenant -> repo.list().stream().filter(r -> tenant.equals(r.tenant())).map(VolumeQuotaHook::held)
                    .reduce(Usage.NONE, Usage::plus));
        }
        return repo;
    }

    @Bean
    VolumeSizeSupport volumeSizeSupport(ContainerEngine engine) {
        return new VolumeSizeSupport(engine, VolumeSizeSupport::procMounts);
    }

    @Bean
    VolumeDataCopier volumeDataCopier(ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined, CopySlots copies) {
        return new VolumeDataCopier("cp", "du", VolumeDataCopier.DEFAULT_LIMIT, reflinks, metrics, confined, copies.semaphore());
    }

    @Bean(destroyMethod = "close")
    VolumeJanitor volumeJanitor(VolumeRepository repo, VolumeEngine engine, NameLocks locks, ThreadPoolTaskExecutor workQueue, GdaProperties props,
                                Intents operations, ClusterIdentity identity) {
        return new VolumeJanitor(repo, engine, locks, workQueue, props.etcd().prefix(), operations, identity);
    }

    @Bean
    DockerVolumes dockerVolumes(ContainerEngine engine, VolumeEngine volumeEngine, GdaProperties props, ClusterIdentity identity, Intents operations) {
        return new DockerVolumes(engine, volumeEngine, props.etcd().prefix(), () -> identity.cluster().id(), operations);
    }

    @Bean
    VolumeLifecycle volumeLifecycle(VolumeRepository repo, VolumeEngine engine, DockerVolumes dockerVolumes, NameLocks locks,
                                    VolumeSizeSupport sizeSupport, VolumeJanitor janitor, Intents operations, QuotaLedger quotas, QuotaSettings quota) {
        return new VolumeLifecycle(repo, engine, dockerVolumes, locks, sizeSupport, janitor, operations, quota.enabled() ? quotas : null);
    }

    @Bean
    VolumeResize volumeResize(VolumeRepository repo, ContainerEngine engine, VolumeEngine volumeEngine, DockerVolumes dockerVolumes, NameLocks locks,
                              VolumeSizeSupport sizeSupport, VolumeDataCopier copier, VolumeJanitor janitor, Intents operations,
                              FrozenContainers frozen, ProgressBoard progress, QuotaLedger quotas, QuotaSettings quota) {
        return new VolumeResize(repo, volumeEngine, dockerVolumes, locks, sizeSupport, copier, janitor, operations, new ContainerFreeze(engine, frozen), progress,
                quota.enabled() ? quotas : null);
    }

    @Bean
    VolumeQueries volumeQueries(VolumeRepository repo, VolumeEngine engine, VolumeJanitor janitor, DockerVolumes dockerVolumes, ProgressBoard progress) {
        return new VolumeQueries(repo, engine, janitor, dockerVolumes, progress);
    }

    /** At startup: detect once whether sizes can be enforced, and start sweeping superseded versions. */
    @Bean
    VolumeStartup volumeStartup(VolumeSizeSupport sizeSupport, VolumeJanitor janitor) {
        return new VolumeStartup(sizeSupport, janitor);
    }
}
