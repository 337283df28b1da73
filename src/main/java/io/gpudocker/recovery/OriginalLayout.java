package io.gpudocker.recovery;

import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the original project's last release (v0.0.3) left in etcd under {@code <prefix>/apis/v1/}: one key per
 * replicaset, {@code containers/<name>}, holding its current container's creation info
 * ({@code {version, createTime, config, hostConfig, networkingConfig, platform, containerName}}); one per volume,
 * {@code volumes/<name>}, holding {@code {version, createTime, opt{Driver, DriverOpts{size}, Labels, Name}}}; the
 * version maps {@code versions/containerVersionMapKey} and {@code versions/volumeVersionMapKey} (name to version);
 * {@code gpus/gpuStatusMapKey} and {@code ports/usedPortSetKey} (its schedulers' state), and
 * {@code merges/containerMergeMapKey}. It wrote the maps only when it shut down and the records from a queue, so
 * a version here may lag behind Docker; {@link OriginalImport} asks Docker for the current container.
 */
final class OriginalLayout {
    static final String CONTAINER_VERSIONS = "versions/containerVersionMapKey";
    static final String VOLUME_VERSIONS = "versions/volumeVersionMapKey";
    private static final List<String> STATE_KEYS = List.of(CONTAINER_VERSIONS, VOLUME_VERSIONS, "gpus/gpuStatusMapKey",
            "ports/usedPortSetKey", "merges/containerMergeMapKey");
    /** Where development builds before v0.0.2 kept their keys: outside any prefix. Not read; only reported. */
    static final String EARLY_ROOT = "/apis/v1/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One of the original's replicasets: its recorded version and the raw value of its key (null: none, only in the map). */
    record ReplicaSet(String name, long version, String value) {
        /** The original's own record of the container, for the configuration it was asked to run with. */
        JsonNode info() { return value == null ? JSON.missingNode() : parse(value); }
    }

    /** One of the original's volumes, as {@link ReplicaSet}; {@code size} is its DriverOpts size text, null if none. */
    record Volume(String name, long version, String size, String value) {}

    record Found(List<ReplicaSet> replicaSets, List<Volume> volumes, List<String> stateKeys) {
        boolean empty() { return replicaSets.isEmpty() && volumes.isEmpty() && stateKeys.isEmpty(); }
    }

    private final KeyValueStore store;
    private final Keys keys;

    OriginalLayout(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    Found read() {
        String root = keys.root();
        List<String> state = STATE_KEYS.stream().filter(k -> store.get(root + k).isPresent()).toList();
        Map<String, Long> containerVersions = versionMap(root + CONTAINER_VERSIONS);
        Map<String, Long> volumeVersions = versionMap(root + VOLUME_VERSIONS);

        Map<String, String> containerValues = new TreeMap<>();
        for (KeyValue kv : store.list(root + "containers/")) {
            containerValues.put(Keys.lastSegment(kv.key()), kv.value());
        }
        Map<String, String> volumeValues = new TreeMap<>();
        for (KeyValue kv : store.list(root + "volumes/")) {
            // this service keeps its own volume records at the same keys: only the original's shape counts
            if (isOriginalVolume(kv.value())) {
                volumeValues.put(Keys.lastSegment(kv.key()), kv.value());
            }
        }

        TreeSet<String> replicaSetNames = new TreeSet<>(containerValues.keySet());
        replicaSetNames.addAll(containerVersions.keySet());
        List<ReplicaSet> replicaSets = replicaSetNames.stream().filter(n -> !n.isEmpty()).map(n -> {
            String value = containerValues.get(n);
            long version = Math.max(containerVersions.getOrDefault(n, 0L), value == null ? 0 : recordedVersion(parse(value)));
            return new ReplicaSet(n, version, value);
        }).toList();

        TreeSet<String> volumeNames = new TreeSet<>(volumeValues.keySet());
        // a name only in the map may be one of this service's volumes by now; its own record says so
        volumeVersions.keySet().stream().filter(n -> store.get(keys.volumes().record(n)).isEmpty()).forEach(volumeNames::add);
        List<Volume> volumes = volumeNames.stream().filter(n -> !n.isEmpty()).map(n -> {
            String value = volumeValues.get(n);
            JsonNode info = value == null ? JSON.missingNode() : parse(value);
            long version = Math.max(volumeVersions.getOrDefault(n, 0L), recordedVersion(info));
            JsonNode size = field(field(field(info, "opt"), "DriverOpts"), "size");
            return new Volume(n, version, size.isString() && !size.asString().isBlank() ? size.asString() : null, value);
        }).toList();
        return new Found(replicaSets, volumes, state);
    }

    /** Whether keys of the builds before v0.0.2 (under /apis/v1/, outside the prefix) are in this etcd. */
    boolean earlyLayoutPresent() {
        return !store.keys(EARLY_ROOT).isEmpty();
    }

    Optional<String> value(String key) {
        return store.get(key).map(KeyValue::value);
    }

    static boolean isOriginalVolume(String value) {
        JsonNode node = parse(value);
        return node.isObject() && field(node, "opt").isObject();
    }

    private Map<String, Long> versionMap(String key) {
        Map<String, Long> versions = new TreeMap<>();
        store.get(key).map(kv -> parse(kv.value())).ifPresent(map -> map.properties().forEach(e -> {
            if (e.getValue().canConvertToLong()) {
                versions.put(e.getKey(), e.getValue().asLong());
            }
        }));
        return versions;
    }

    /** The version a record names: its {@code version}, else the number of its {@code containerName} or {@code opt.Name}. */
    private static long recordedVersion(JsonNode info) {
        JsonNode version = field(info, "version");
        if (version.canConvertToLong()) {
            return version.asLong();
        }
        JsonNode name = field(info, "containerName").isString() ? field(info, "containerName") : field(field(info, "opt"), "Name");
        if (name.isString() && name.asString().matches(".*-\\d{1,18}")) {
            return Long.parseLong(name.asString().substring(name.asString().lastIndexOf('-') + 1));
        }
        return 0;
    }

    /** A field by its name as the last release wrote it, or capitalised as earlier builds did. */
    static JsonNode field(JsonNode node, String name) {
        JsonNode v = node.path(name);
        return v.isMissingNode() ? node.path(Character.toUpperCase(name.charAt(0)) + name.substring(1)) : v;
    }

    static JsonNode parse(String value) {
        try {
            return JSON.readTree(value);
        } catch (RuntimeException e) {
            return JSON.missingNode();
        }
    }
}
