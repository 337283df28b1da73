package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ImageSummary;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.TenantHolds;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageCommitQuotaTest {
    private static final String OWNER = "/gda";
    private static final String IMAGE = "alice/snap:v1";
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final TenantHolds holds = new TenantHolds(store, new Keys("/t", "n1"), () -> 0);
    private final Quotas quotas = mock(Quotas.class);
    private final ImageCommitQuota images = new ImageCommitQuota(engine, OWNER, quotas);

    @BeforeEach
    void quotasOn() {
        when(quotas.enabled()).thenReturn(true);
        when(quotas.holds()).thenReturn(holds);
    }
    private final Caller alice = Caller.tenant("alice");
    private final AtomicInteger commits = new AtomicInteger();

    @Test
    void aCommitThatReplacesTheTenantsImageRemovesTheOneItSupersedes() {
        when(quotas.limit("alice", Resource.IMAGES)).thenReturn(1L);
        when(engine.inspectImage(IMAGE)).thenReturn(Optional.of(image("sha256:old", IMAGE)));
        when(engine.listImages()).thenReturn(List.of(image("sha256:old", IMAGE)));

        assertThat(images.commit("alice", IMAGE, alice, this::commit)).isEqualTo("sha256:new");

        // the old image, untagged, would otherwise stay on the disk uncounted: one layer per commit to the same name
        verify(engine).removeUnusedImage("sha256:old");
        assertThat(holds.heldHere(Resource.IMAGES, "alice")).containsExactly(IMAGE);
    }

    @Test
    void aNewNameBeyondTheQuotaIsRefusedBeforeAnythingIsCommitted() {
        when(quotas.limit("alice", Resource.IMAGES)).thenReturn(1L);
        when(engine.inspectImage(IMAGE)).thenReturn(Optional.empty());
        when(engine.listImages()).thenReturn(List.of(image("sha256:other", "alice/other:v1")));

        assertThatThrownBy(() -> images.commit("alice", IMAGE, alice, this::commit))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
        assertThat(commits).hasValue(0);
        verify(engine, never()).removeUnusedImage(org.mockito.ArgumentMatchers.anyString());
        assertThat(holds.heldHere(Resource.IMAGES, "alice")).containsExactly("alice/other:v1");
    }

    @Test
    void anImageCommittedOnAnotherNodeFillsTheQuotaHere() {
        when(quotas.limit("alice", Resource.IMAGES)).thenReturn(1L);
        when(engine.inspectImage(IMAGE)).thenReturn(Optional.empty());
        when(engine.listImages()).thenReturn(List.of());
        new TenantHolds(store, new Keys("/t", "n2"), () -> 0).take(Resource.IMAGES, "alice", 1L, "alice/elsewhere:v1", false);

        assertThatThrownBy(() -> images.commit("alice", IMAGE, alice, this::commit))
                .hasMessage("quota images of tenant alice: limit 1, in use 1, asked 1");
        assertThat(commits).hasValue(0);
    }

    @Test
    void aFailedCommitGivesItsKeyBackAndAnImageGoneFromTheEngineStopsCounting() {
        when(quotas.limit("alice", Resource.IMAGES)).thenReturn(1L);
        when(engine.inspectImage(IMAGE)).thenReturn(Optional.empty());
        when(engine.listImages()).thenReturn(List.of());
        holds.take(Resource.IMAGES, "alice", null, "alice/removed-outside:v1", false);

        assertThatThrownBy(() -> images.commit("alice", IMAGE, alice, () -> {
            throw new IllegalStateException("disk full");
        })).hasMessage("disk full");
        assertThat(store.snapshot()).as("no key left: neither the failed commit's nor the removed image's").isEmpty();
    }

    @Test
    void atStartUpImagesCommittedBeforeAreCountedAndKeysOfGoneImagesDropped() {
        holds.take(Resource.IMAGES, "bob", null, "bob/gone:v1", false);
        when(engine.listImages()).thenReturn(List.of(image("sha256:a", IMAGE), image("sha256:b", "alice/two:v1"),
                new ImageSummary("sha256:c", List.of("<none>:<none>"), null, 0, Map.of(ManagedLabels.OWNER, OWNER, ManagedLabels.TENANT, "alice")),
                new ImageSummary("sha256:d", List.of("other/x:1"), null, 0, Map.of(ManagedLabels.OWNER, "/elsewhere", ManagedLabels.TENANT, "alice"))));

        images.verify();
        images.verify();

        assertThat(holds.heldHere(Resource.IMAGES, "alice")).containsExactlyInAnyOrder(IMAGE, "alice/two:v1");
        assertThat(holds.count(Resource.IMAGES, "bob")).as("bob has no image here: its key is that of one gone").isZero();
    }

    @Test
    void aSupersededImageThatCannotBeRemovedLeavesTheCommitStanding() {
        when(engine.inspectImage(IMAGE)).thenReturn(Optional.of(image("sha256:old", IMAGE)));
        when(engine.removeUnusedImage("sha256:old")).thenThrow(new IllegalStateException("engine gone"));

        assertThat(images.commit("alice", IMAGE, alice, this::commit)).isEqualTo("sha256:new");
        assertThat(commits).hasValue(1);
    }

    private String commit() {
        commits.incrementAndGet();
        return "sha256:new";
    }

    private static ImageSummary image(String id, String tag) {
        return new ImageSummary(id, List.of(tag), null, 0, Map.of(ManagedLabels.OWNER, OWNER, ManagedLabels.TENANT, "alice"));
    }
}
