package io.gpudocker.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import org.junit.jupiter.api.Test;

/** The original project's keys read as its last release wrote them, and what is not its. */
class OriginalLayoutTest {
    private static final String ROOT = "/gpu-docker-api/apis/v1/";
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final OriginalLayout layout = new OriginalLayout(store, new Keys("/gpu-docker-api"));

    private void put(String key, String value) {
        assertThat(store.commit(new Txn().put(key, value))).isTrue();
    }

    @Test
    void nothingOfTheOriginalIsEmpty() {
        put(ROOT + "cluster", "{\"id\":\"x\"}");
        assertThat(layout.read().empty()).isTrue();
        assertThat(layout.earlyLayoutPresent()).isFalse();
    }

    @Test
    void readsReplicaSetsAndVolumesWithTheHigherOfTheRecordedVersions() {
        put(ROOT + "containers/foo", "{\"version\":3,\"createTime\":\"2024-01-23 13:55:51\",\"config\":{\"Image\":\"ubuntu\",\"Env\":[\"A=1\"]},"
                + "\"hostConfig\":{},\"containerName\":\"foo-3\"}");
        put(ROOT + "versions/containerVersionMapKey", "{\"foo\":4,\"onlyinmap\":2}");
        put(ROOT + "volumes/bar", "{\"version\":2,\"createTime\":\"2024-01-23 13:55:51\",\"opt\":{\"Driver\":\"local\",\"DriverOpts\":{\"size\":\"20GB\"},"
                + "\"Labels\":null,\"Name\":\"bar-2\"}}");
        put(ROOT + "volumes/ours", "{\"name\":\"ours\",\"version\":1,\"sizeEnforced\":false}");
        put(ROOT + "versions/volumeVersionMapKey", "{\"bar\":2,\"ours\":1}");
        put(ROOT + "ports/usedPortSetKey", "{\"StartPort\":40000,\"EndPort\":65535,\"AvailableCount\":25536,\"UsedPortSet\":{\"40000\":{}}}");

        OriginalLayout.Found found = layout.read();

        assertThat(found.replicaSets()).extracting(OriginalLayout.ReplicaSet::name, OriginalLayout.ReplicaSet::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("foo", 4L), org.assertj.core.groups.Tuple.tuple("onlyinmap", 2L));
        assertThat(found.replicaSets().get(0).info().path("config").path("Image").asString()).isEqualTo("ubuntu");
        assertThat(found.replicaSets().get(1).value()).isNull();
        // "ours" is this service's record at the same key: not the original's, and its map entry does not make it one
        assertThat(found.volumes()).extracting(OriginalLayout.Volume::name, OriginalLayout.Volume::version, OriginalLayout.Volume::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bar", 2L, "20GB"));
        assertThat(found.stateKeys()).containsExactly(OriginalLayout.CONTAINER_VERSIONS, OriginalLayout.VOLUME_VERSIONS, "ports/usedPortSetKey");
    }

    @Test
    void earlierBuildsCapitalisedFieldsAreReadToo() {
        put(ROOT + "containers/foo", "{\"Config\":{\"Image\":\"ubuntu\"},\"ContainerName\":\"foo-7\"}");
        assertThat(layout.read().replicaSets().get(0).version()).isEqualTo(7);
    }

    @Test
    void aValueThatIsNotJsonIsNoVersionAndStopsNothing() {
        put(ROOT + "containers/foo", "not json");
        put(ROOT + "volumes/bar", "not json either");
        OriginalLayout.Found found = layout.read();
        assertThat(found.replicaSets()).extracting(OriginalLayout.ReplicaSet::version).containsExactly(0L);
        assertThat(found.volumes()).isEmpty();
    }

    @Test
    void theEarlyLayoutOutsideThePrefixIsNoticed() {
        put("/apis/v1/containers/foo", "{}");
        assertThat(layout.read().empty()).isTrue();
        assertThat(layout.earlyLayoutPresent()).isTrue();
    }
}
