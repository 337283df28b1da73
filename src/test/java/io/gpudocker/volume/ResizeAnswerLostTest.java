package io.gpudocker.volume;


import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.OutcomeUnknown;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore.Fault;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * A resize whose record write gets no answer. Removing the new Docker volume then was the worst possible
 * undo when the write had landed: the record named the removed volume and the janitor removed the old one
 * as superseded. Now the new volume stays unless the record is known not to name it.
 */
class ResizeAnswerLostTest {
    private static final Caller ALICE = Caller.tenant("alice");

    @TempDir
    Path dir;
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Intents operations = ConfirmedIdentity.operations(store, new Keys("/t"));
    private final VolumeRepository repo = new VolumeRepository(store, new Keys("/t"), operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VolumeEngine volumeEngine = mock(VolumeEngine.class);
    private VolumeResize resize;

    @BeforeEach
    void versionOneWithData() throws Exception {
        Path one = Files.createDirectories(dir.resolve("data-1"));
        Files.writeString(one.resolve("file"), "kept");
        Path two = Files.createDirectories(dir.resolve("data-2"));
        repo.create(new VolumeRecord("data", 1, null, null, false, Instant.now(), Instant.now(), "alice", "local"),
                new VolumeVersion("data", 1, "data-1", null, null, false, Instant.now(), "create"),
                operations.begin(Intent.start(Intent.VOLUME, "create", "data", 1)));
        when(volumeEngine.inspectVolume("data-1")).thenReturn(Optional.of(volume("data-1", one, 1)));
        when(volumeEngine.inspectVolume("data-2")).thenReturn(Optional.empty());
        when(volumeEngine.containersUsingVolume(anyString())).thenReturn(List.of());
        when(volumeEngine.createVolume(eq("data-2"), any(), any())).thenReturn(volume("data-2", two, 2));
        VolumeSizeSupport sizes = mock(VolumeSizeSupport.class);
        resize = new VolumeResize(repo, volumeEngine, new DockerVolumes(engine, volumeEngine, "/t", () -> "test-cluster", operations), new NameLocks(Duration.ofSeconds(5)), sizes,
                new VolumeDataCopier("cp", "du"), mock(VolumeJanitor.class), operations, new ContainerFreeze(engine, new io.gpudocker.common.FrozenContainers()),
                new ProgressBoard(Clock.systemUTC()));
    }

    @Test
    void aRecordWriteThatLandedIsASuccessAndTheNewVolumeStays() {
        failRecordWrite(Fault.APPLY_THEN_TIME_OUT, false);

        assertThat(resize.resize("data", new VolumeRequests.Resize("1GB"), false, ALICE).name()).isEqualTo("data-2");
        assertThat(repo.require("data", ALICE).record().version()).isEqualTo(2);
        verify(volumeEngine, never()).removeVolume(anyString());
    }

    @Test
    void aRecordWriteThatDidNotLandRemovesTheNewVolume() {
        failRecordWrite(Fault.TIME_OUT_WITHOUT_APPLYING, false);

        assertThatThrownBy(() -> resize.resize("data", new VolumeRequests.Resize("1GB"), false, ALICE))
                .isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(OutcomeUnknown.class);
        assertThat(repo.require("data", ALICE).record().version()).isEqualTo(1);
        verify(volumeEngine).removeVolume("data-2");
    }

    @Test
    void whenItCannotBeToldTheNewVolumeStaysForTheJanitorToJudge() {
        failRecordWrite(Fault.APPLY_THEN_TIME_OUT, true);

        assertThatThrownBy(() -> resize.resize("data", new VolumeRequests.Resize("1GB"), false, ALICE)).isInstanceOf(OutcomeUnknown.class);
        verify(volumeEngine, never()).removeVolume(anyString());
    }

    /** Arms the fault once the new volume exists: the intent was written, the record write is the next commit. */
    private void failRecordWrite(Fault fault, boolean readsFailToo) {
        when(volumeEngine.createVolume(eq("data-2"), any(), any())).thenAnswer(call -> {
            store.failNextCommit(fault);
            store.failReads(readsFailToo);
            return volume("data-2", dir.resolve("data-2"), 2);
        });
    }

    private static VolumeSummary volume(String dockerName, Path mountpoint, long version) {
        return new VolumeSummary(dockerName, "local", mountpoint.toString(), ManagedLabels.volumeVersion("/t", "data", version), Map.of());
    }
}
