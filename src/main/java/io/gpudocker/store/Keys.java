package io.gpudocker.store;

/**
 * The etcd key layout, all under one prefix (default {@code /gpu-docker-api}) so reset.sh can wipe it.
 * Every version is its own key: history is one range read and never depends on MVCC revisions.
 */
public final class Keys {
    private final String root;

    public Keys(String prefix) {
        this.root = prefix + "/apis/v1/";
    }

    public String replicaSet(String name) { return root + "replicasets/" + name; }

    public String replicaSets() { return root + "replicasets/"; }

    public String replicaSetVersion(String name, long version) { return replicaSetVersions(name) + String.format("%010d", version); }

    public String replicaSetVersions(String name) { return root + "replicaset-versions/" + name + "/"; }

    public String gpu(String uuid) { return gpus() + uuid; }

    public String gpus() { return root + "gpus/"; }

    public String port(int port) { return ports() + port; }

    public String ports() { return root + "ports/"; }

    public String volume(String name) { return root + "volumes/" + name; }

    public String volumes() { return root + "volumes/"; }

    public String volumeVersion(String name, long version) { return volumeVersions(name) + String.format("%010d", version); }

    public String volumeVersions(String name) { return root + "volume-versions/" + name + "/"; }

    public static String lastSegment(String key) { return key.substring(key.lastIndexOf('/') + 1); }
}
