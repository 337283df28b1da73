package io.gpudocker.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSettings;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Txn;
import io.gpudocker.volume.ContainerFreeze;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeDataCopier;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeSizeSupport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One adoption failing part way: it is undone and its original runs again, the others are adopted, the start is refused. */
class OriginalImportTest {
    private static final String ROOT = "/gpu-docker-api/apis/v1/";
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/gpu-docker-api");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository replicaSets = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final SystemDiskCopier diskCopier = mock(SystemDiskCopier.class);
    private final VersionContainers containers = mock(VersionContainers.class);
    private final Map<String, ContainerDetail> docker = new ConcurrentHashMap<>();
    private OriginalImport importer;

    @BeforeEach
    void setUp() {
        VolumeRepository volumes = new VolumeRepository(store, keys, operations);
        ImportPlanner planner = new ImportPlanner(new OriginalLayout(store, keys), keys, engine, mock(VolumeEngine.class), replicaSets, volumes, diskCopier, mock(DockerVolumes.class));
        importer = new OriginalImport(planner, keys, engine, mock(VolumeEngine.class), replicaSets, volumes,
                containers, diskCopier, mock(DockerVolumes.class), mock(VolumeDataCopier.class), mock(VolumeSizeSupport.class),
                mock(ContainerFreeze.class), operations);
        when(engine.inspect(anyString())).thenAnswer(i -> Optional.ofNullable(docker.get(i.<String>getArgument(0))));
        when(engine.settings(anyString())).thenReturn(Optional.of(new ContainerSettings("img", List.of("sleep", "1"), List.of("A=1"), List.of(),
                List.of(), Map.of())));
        when(containers.specOf(any(), any(), any())).thenAnswer(i -> new ContainerSpec(
                i.<io.gpudocker.replicaset.ReplicaSetVersion>getArgument(0).containerName(), "img", List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of()));
        doAnswer(i -> {
            ContainerSpec spec = i.getArgument(0);
            docker.put(spec.name(), view(spec.name(), false));
            return spec.name();
        }).when(engine).create(any());
        doAnswer(i -> docker.remove(i.<String>getArgument(0))).when(engine).remove(anyString());
        for (String name : List.of("foo", "baz")) {
            docker.put(name + "-1", view(name + "-1", true));
            assertThat(store.commit(new Txn().put(ROOT + "containers/" + name, "{\"version\":1,\"createTime\":\"2024-01-23 13:55:51\","
                    + "\"config\":{\"Image\":\"img\",\"Env\":[\"A=1\",\"CONTAINER_VERSION=1\"],\"Cmd\":[\"sleep\",\"1\"]},\"containerName\":\"" + name + "-1\"}"))).isTrue();
        }
        when(diskCopier.copy(argThat(c -> c != null && c.name().equals("foo-1")), any())).thenThrow(new IllegalStateException("disk full"));
    }

    @Test
    void aFailedAdoptionIsUndoneAndNamedWhileTheOthersAreAdopted() {
        ImportPlanner.Plan plan = importer.plan();
        assertThat(plan.replicaSets()).hasSize(2);

        assertThatThrownBy(() -> importer.adopt(plan)).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("replicaset foo (foo-1): disk full");

        verify(engine).remove("foo-2");
        verify(engine).start("foo-1");
        assertThat(replicaSets.find("foo")).isEmpty();
        assertThat(store.get(keys.imported(OriginalImport.CONTAINERS, "foo"))).isEmpty();
        assertThat(operations.all()).as("no intent is left behind").isEmpty();

        ReplicaSetRecord baz = replicaSets.find("baz").orElseThrow().record();
        assertThat(baz.version()).isEqualTo(2);
        assertThat(baz.state()).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(replicaSets.current(baz).spec().env()).containsExactly("A=1");
        verify(engine).start("baz-2");
        verify(engine, never()).start("baz-1");
        verify(engine, never()).remove("baz-1");
        verify(engine, never()).remove("foo-1");

        // again: baz is not adopted twice, foo is tried again
        assertThat(importer.plan().replicaSets()).extracting(p -> p.original().name()).containsExactly("foo");
    }

    @Test
    void aClashRefusesBeforeAnythingIsChanged() {
        assertThat(store.commit(new Txn().put(ROOT + "replicasets/foo", "{\"name\":\"foo\",\"version\":1,\"state\":\"RUNNING\"}"))).isTrue();
        assertThatThrownBy(importer::plan).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("replicaset 'foo' exists in this service already");
        verify(engine, never()).stop(anyString());
        verify(engine, never()).create(any());
    }

    private static ContainerDetail view(String name, boolean running) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, running ? "running" : "created", running, false, Map.of()))
                .withStorage("overlay2", "/tmp");
    }
}
