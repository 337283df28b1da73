package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionContainersTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("bob/snap:v1", 0, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);
    private static final ReplicaSetVersion VERSION = new ReplicaSetVersion("adm", 1, "adm-1", Instant.now(), "create", SPEC, List.of(), Map.of());

    private final VersionContainers containers = new VersionContainers(mock(ContainerEngine.class), (volume, tenant) -> true, (image, tenant) -> true,
            new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");

    /** Docker copies an image's labels into a container that does not set them: a tenant's commit would name the admin's instance its own. */
    @Test
    void everyContainerNamesItsTenantTheAdminsToo() {
        assertThat(containers.specOf(VERSION, null, "op-1").labels()).containsEntry(ManagedLabels.TENANT, "admin");
        assertThat(containers.specOf(VERSION, "admin", "op-1").labels()).containsEntry(ManagedLabels.TENANT, "admin");
        assertThat(containers.specOf(VERSION, "alice", "op-1").labels()).containsEntry(ManagedLabels.TENANT, "alice");
    }
}
