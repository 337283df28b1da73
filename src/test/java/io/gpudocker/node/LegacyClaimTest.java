package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LegacyClaimTest {
    private static final String ROOT = "/p/apis/v1/";
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "gpu1");

    @Test
    void theSingleNodeLayoutBecomesTheFirstNodesAndTheOriginalsKeysAreLeftAlone() {
        store.commit(new Txn()
                .put(ROOT + "replicasets/foo", "{\"name\":\"foo\",\"version\":2,\"state\":\"RUNNING\",\"ports\":{\"22/tcp\":40000},\"cpus\":[3]}")
                .put(ROOT + "replicasets/bar", "{\"name\":\"bar\",\"version\":1,\"state\":\"STOPPED\",\"node\":\"gpu2\"}")
                .put(ROOT + "volumes/data", "{\"name\":\"data\",\"version\":1}")
                .put(ROOT + "volumes/old", "{\"version\":1,\"opt\":{}}x")
                .put(ROOT + "ports/40000", "foo")
                .put(ROOT + "ports/usedPortSetKey", "{\"40000\":{}}")
                .put(ROOT + "cpus/3", "foo")
                .put(ROOT + "operations/0123456789abcdef", "{\"id\":\"0123456789abcdef\"}")
                .put(ROOT + "ports/gpu2/40001", "bar"));

        new LegacyClaim(store, keys).verify();
        Map<String, String> after = store.snapshot();

        assertThat(after.get(ROOT + "replicasets/foo")).contains("\"node\":\"gpu1\"").contains("\"ports\":{\"22/tcp\":40000}");
        assertThat(after.get(ROOT + "replicasets/bar")).contains("\"node\":\"gpu2\"");
        assertThat(after.get(ROOT + "volumes/data")).contains("\"node\":\"gpu1\"");
        assertThat(after.get(ROOT + "volumes/old")).isEqualTo("{\"version\":1,\"opt\":{}}x");
        assertThat(after).containsEntry(ROOT + "ports/gpu1/40000", "foo").doesNotContainKey(ROOT + "ports/40000")
                .containsEntry(ROOT + "cpus/gpu1/3", "foo").doesNotContainKey(ROOT + "cpus/3")
                .containsKey(ROOT + "operations/gpu1/0123456789abcdef").doesNotContainKey(ROOT + "operations/0123456789abcdef")
                .containsEntry(ROOT + "ports/usedPortSetKey", "{\"40000\":{}}")
                .containsEntry(ROOT + "ports/gpu2/40001", "bar");

        new LegacyClaim(store, keys).verify();
        assertThat(store.snapshot()).isEqualTo(after);
    }
}
