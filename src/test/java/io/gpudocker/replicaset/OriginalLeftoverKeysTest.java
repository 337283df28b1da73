package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Keys the original project left under the same prefix are skipped, never read as allocations or records. */
class OriginalLeftoverKeysTest {
    private static final String ROOT = "/gpu-docker-api/apis/v1/";

    /** Just enough of etcd: keys in order, listed by prefix. */
    private static final class Keyspace implements KeyValueStore {
        final TreeMap<String, String> kv = new TreeMap<>();

        @Override
        public Optional<KeyValue> get(String key) {
            return Optional.ofNullable(kv.get(key)).map(v -> new KeyValue(key, v, 1));
        }

        @Override
        public List<KeyValue> list(String prefix) {
            return kv.subMap(prefix, prefix + Character.MAX_VALUE).entrySet().stream().map(e -> new KeyValue(e.getKey(), e.getValue(), 1)).toList();
        }

        @Override
        public io.gpudocker.store.Listing listAt(String prefix) { return new io.gpudocker.store.Listing(list(prefix), 1); }

        @Override
        public io.gpudocker.store.Watching watch(String prefix, long fromRevision, io.gpudocker.store.ChangeListener listener) {
            throw new UnsupportedOperationException("reads only");
        }

        @Override
        public boolean commit(Txn txn) { throw new UnsupportedOperationException("reads only"); }

        @Override
        public void ping() {}

        @Override
        public long grantLease(java.time.Duration ttl) { throw new UnsupportedOperationException("reads only"); }

        @Override
        public boolean renewLease(long lease) { throw new UnsupportedOperationException("reads only"); }

        @Override
        public void revokeLease(long lease) { throw new UnsupportedOperationException("reads only"); }
    }

    private final Keyspace store = new Keyspace();
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, new Keys("/gpu-docker-api"), org.mockito.Mockito.mock(io.gpudocker.store.Intents.class));

    @Test
    void theOriginalsPortSetAndGpuMapAreNotAllocations() {
        store.kv.put(ROOT + "ports/usedPortSetKey", "{\"40000\":{},\"40001\":{}}");
        store.kv.put(ROOT + "ports/local/40002", "foo");
        store.kv.put(ROOT + "ports/local/99999", "foo");
        store.kv.put(ROOT + "gpus/gpuStatusMapKey", "{\"GPU-00000000-0000-4000-8000-000000000000\":1}");
        store.kv.put(ROOT + "gpus/GPU-00000000-0000-4000-8000-000000000001", "foo");
        store.kv.put(ROOT + "gpus/GPU-00000000-0000-4000-8000-000000000002", "{\"not\":\"a holder\"}");

        assertThat(repo.allocations(AllocationKind.PORT)).containsExactly(Map.entry(40002, "foo"));
        assertThat(repo.allocations(AllocationKind.GPU)).containsExactly(Map.entry("GPU-00000000-0000-4000-8000-000000000001", "foo"));
    }

    @Test
    void aValueThatIsNoRecordIsSkippedWhenListing() {
        store.kv.put(ROOT + "replicasets/foo", "{\"name\":\"foo\",\"version\":2,\"state\":\"RUNNING\"}");
        store.kv.put(ROOT + "replicasets/containerVersionMapKey", "not json at all");
        store.kv.put(ROOT + "versions/containerVersionMapKey", "{\"foo\":2}");

        assertThat(repo.list()).extracting(ReplicaSetRecord::name).containsExactly("foo");
    }
}
