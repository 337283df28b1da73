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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ImageCommitQuotaTest {
    private static final String OWNER = "/gda";
    private static final String IMAGE = "alice/snap:v1";
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final Quotas quotas = mock(Quotas.class);
    private final ImageCommitQuota images = new ImageCommitQuota(engine, OWNER, quotas);
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
