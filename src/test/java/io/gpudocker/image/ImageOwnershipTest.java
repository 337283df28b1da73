package io.gpudocker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageOwnershipTest {
    private static final Map<String, String> BOBS = Map.of(ManagedLabels.OWNER, "/t", ManagedLabels.TENANT, "bob");
    private static final String BOBS_ID = "sha256:" + "b".repeat(64);

    @Test
    void aCommitIsItsTenantsAndTheAdminsUnlessShared() {
        assertThat(ImageOwnership.mayUse(BOBS, false, "bob")).isTrue();
        assertThat(ImageOwnership.mayUse(BOBS, false, "alice")).isFalse();
        assertThat(ImageOwnership.mayUse(BOBS, false, "Bob")).as("tenant names are exact").isFalse();
        assertThat(ImageOwnership.mayUse(BOBS, false, Caller.ADMIN_NAME)).isTrue();
        assertThat(ImageOwnership.mayUse(BOBS, false, null)).as("records from before tenancy are the admin's").isTrue();
        assertThat(ImageOwnership.mayUse(BOBS, true, "alice")).isTrue();
    }

    @Test
    void aBaseImageIsEveryones() {
        assertThat(ImageOwnership.mayUse(Map.of(), false, "alice")).isTrue();
        assertThat(ImageOwnership.mayUse(Map.of("maintainer", "x"), false, "alice")).isTrue();
    }

    @Test
    void aTenantCommitsOnlyUnderItsNamespaceTheAdminAnywhere() {
        Caller alice = Caller.tenant("alice");
        assertThat(ImageOwnership.inNamespace("alice/snap:v1", alice)).isTrue();
        assertThat(ImageOwnership.inNamespace("alice/team/snap", alice)).isTrue();
        assertThat(ImageOwnership.inNamespace("ubuntu:latest", alice)).isFalse();
        assertThat(ImageOwnership.inNamespace("alicex/snap", alice)).isFalse();
        assertThat(ImageOwnership.inNamespace("docker.io/alice/snap", alice)).isFalse();
        assertThat(ImageOwnership.inNamespace("bob/snap:v1", alice)).isFalse();
        assertThat(ImageOwnership.inNamespace("ubuntu:latest", Caller.ADMIN)).isTrue();
        assertThat(ImageOwnership.inNamespace("alice/snap:v1", Caller.tenant("Alice"))).as("repositories are lower case").isTrue();
        assertThat(ImageOwnership.inNamespace("docker.io/library/ubuntu:latest", Caller.tenant("docker.io")))
                .as("Docker Hub's host as a tenant: its namespace is every unqualified name").isFalse();
        assertThat(ImageOwnership.inNamespace("index.docker.io/library/ubuntu", Caller.tenant("Index.Docker.IO"))).isFalse();
        assertThat(ImageOwnership.inNamespace("docker.io/library/ubuntu:latest", Caller.ADMIN)).isTrue();
    }

    @Test
    void onlyTheSameTenantsCommitIsReplaced() {
        assertThat(ImageOwnership.replaceable(BOBS, "/t", "bob")).isTrue();
        assertThat(ImageOwnership.replaceable(BOBS, "/t", "alice")).isFalse();
        assertThat(ImageOwnership.replaceable(BOBS, "/other", "bob")).as("another deployment's").isFalse();
        assertThat(ImageOwnership.replaceable(Map.of(), "/t", "bob")).as("a base image").isFalse();
    }

    @Test
    void everyReferenceIsJudgedByTheImageDockerResolvesItTo() {
        ContainerEngine engine = mock(ContainerEngine.class);
        KeyValueStore store = mock(KeyValueStore.class);
        Keys keys = new Keys("/t");
        ImageSummary bobs = new ImageSummary(BOBS_ID, List.of("bob/snap:v1"), null, 1, BOBS);
        for (String ref : List.of("bob/snap:v1", BOBS_ID, "b".repeat(64), "bbbbbbbbbbbb")) {
            when(engine.inspectImage(ref)).thenReturn(Optional.of(bobs));
        }
        when(engine.inspectImage("missing")).thenReturn(Optional.empty());
        when(store.get(keys.sharedImage(BOBS_ID))).thenReturn(Optional.empty());
        ImageAccess access = new ImageAccess(engine, store, keys);
        for (String ref : List.of("bob/snap:v1", BOBS_ID, "b".repeat(64), "bbbbbbbbbbbb")) {
            assertThat(access.usableBy(ref, "alice")).as(ref).isFalse();
            assertThat(access.usableBy(ref, "bob")).as(ref).isTrue();
            assertThat(access.usableBy(ref, Caller.ADMIN_NAME)).as(ref).isTrue();
        }
        assertThat(access.usableBy("missing", Caller.ADMIN_NAME)).isFalse();
        when(store.get(keys.sharedImage(BOBS_ID))).thenReturn(Optional.of(new KeyValue(keys.sharedImage(BOBS_ID), "bob/snap:v1", 1, 0)));
        assertThat(access.usableBy("bbbbbbbbbbbb", "alice")).as("shared by the admin").isTrue();
    }
}
