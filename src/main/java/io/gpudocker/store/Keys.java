package io.gpudocker.store;

/**
 * The etcd key layout, all under one prefix (default {@code /gpu-docker-api}) so reset.sh can wipe it.
 * Every version is its own key: history is one range read and never depends on MVCC revisions.
 */
public final class Keys {
    private final String prefix;
    private final String root;
    private final String node;
    private final RecordLayout replicaSets;
    private final RecordLayout volumes;

    /** The layout of a single-node deployment whose node is called {@code local} (unit tests). */
    public Keys(String prefix) {
        this(prefix, "local");
    }

    /** @param node this node's name: host ports, CPU cores and operation intents are kept per node */
    public Keys(String prefix, String node) {
        this.prefix = prefix;
        this.root = prefix + "/apis/v1/";
        this.node = node;
        this.replicaSets = new RecordLayout(root + "replicasets/", root + "replicaset-versions/");
        this.volumes = new RecordLayout(root + "volumes/", root + "volume-versions/");
    }

    public RecordLayout replicaSets() { return replicaSets; }

    public RecordLayout volumes() { return volumes; }

    public String gpu(String uuid) { return gpus() + uuid; }

    public String gpus() { return root + "gpus/"; }

    /** The same layout as node {@code other} sees it: its host ports, cores and intents (a move writes both nodes'). */
    public Keys forNode(String other) { return new Keys(prefix, other); }

    /** This node's name. */
    public String node() { return node; }

    public String port(int port) { return ports() + port; }

    /** A CPU core's allocation on this node, by the kernel's core number. */
    public String cpu(int core) { return cpus() + core; }

    public String cpus() { return root + "cpus/" + node + "/"; }

    public String ports() { return root + "ports/" + node + "/"; }

    /**
     * Where ports, cores and intents lived before nodes ({@code ports/<port>}, {@code cpus/<core>}, {@code operations/<id>}):
     * the first node to start on such a layout claims them (see {@code node.LegacyClaim}).
     */
    public String legacyPorts() { return root + "ports/"; }

    public String legacyCpus() { return root + "cpus/"; }

    public String legacyOperations() { return root + "operations/"; }

    /** A node's presence, under its lease: gone when the node is. */
    public String node(String name) { return nodes() + name; }

    public String nodes() { return root + "nodes/"; }

    /** A node's lasting membership: name, address, whether it is cordoned. */
    public String nodeMember(String name) { return nodeMembers() + name; }

    public String nodeMembers() { return root + "node-members/"; }

    /** The secret nodes sign forwarded calls with, unless the operator configures one. */
    /** Where versions before the verifier kept the cluster secret itself; deleted at start. */
    public String clusterSecret() { return root + "cluster-secret"; }

    /** What tells whether a node's cluster secret is the cluster's (never the secret). */
    public String clusterSecretVerifier() { return root + "cluster-secret-verifier"; }

    /** The admin's mark that the image of this id (a tenant's commit) may be used by every tenant. */
    public String sharedImage(String imageId) { return sharedImages() + imageId; }

    public String sharedImages() { return root + "shared-images/"; }

    /** A token's record by its name, for listing and revoking. */
    public String token(String name) { return tokens() + name; }

    public String tokens() { return root + "tokens/"; }

    /** Everything kept of one tenant beyond its token: its quota and its counts. */
    public String tenant(String name) { return root + "tenants/" + name + "/"; }

    /** A tenant's own quota (absent: the defaults). */
    public String tenantQuota(String name) { return tenant(name) + "quota"; }

    /** What a tenant holds of what its quota bounds, moved by every change of its records. */
    public String tenantUsage(String name) { return tenant(name) + "usage"; }

    /**
     * What a tenant holds of {@code kind} (open executes or terminals, committed images), one key each under
     * {@code held/<node>/}, beside the {@code guard} every take moves so two takes never pass on one count.
     */
    public String tenantHolds(String kind, String tenant) { return holds(kind) + tenant + "/"; }

    public String holds(String kind) { return root + "quota/" + kind + "/"; }

    /** One key of {@link #tenantHolds} held on this node. */
    public String tenantHold(String kind, String tenant, String id) { return tenantHolds(kind, tenant) + "held/" + node + "/" + id; }

    /** The same record by the SHA-256 of the token, for checking a bearer in one read. */
    /** A tenant's SSH public key, by its name. */
    public String sshKey(String tenant, String name) { return sshKeys(tenant) + name; }

    public String sshKeys(String tenant) { return tenant(tenant) + "ssh-keys/"; }

    /** Which tenant registered the key of this fingerprint (hex of its SHA-256): one read per login. */
    public String sshKeyFingerprint(String sha256Hex) { return root + "ssh-key-fingerprints/" + sha256Hex; }

    public String tokenHash(String sha256Hex) { return root + "token-hashes/" + sha256Hex; }

    /**
     * The mark that the original project's {@code kind} ("containers" or "volumes") {@code name} was adopted by
     * {@code --import-original}, holding the original's own value of it.
     */
    public String imported(String kind, String name) { return root + "imported/" + kind + "/" + name; }

    /** Where usage metering keeps its open and closed intervals and their daily sums (see {@code usage.UsageKeys}). */
    public String usage() { return root + "usage/"; }

    /**
     * What a replicaset moved away from {@code node} left there (its stopped versions, its volumes' old versions), kept
     * until the replicaset is deleted or comes back.
     */
    public String movedAway(String name, String node) { return movedAway(node) + name; }

    public String movedAway(String node) { return root + "moved-away/" + node + "/"; }

    /** How the last drain of {@code node} went (see {@code node.DrainStatus}). */
    public String drain(String node) { return drains() + node; }

    public String drains() { return root + "drains/"; }

    /** The stop or drop-to-cardless scheduled for a replicaset. */
    public String schedule(String replicaSet) { return schedules() + replicaSet; }

    public String schedules() { return root + "schedules/"; }

    /** A replicaset's own idle-reclaim policy. */
    public String reclaim(String replicaSet) { return reclaims() + replicaSet; }

    public String reclaims() { return root + "reclaim/"; }

    /** The cluster's event history: one key per event, named so that key order is write order (roughly, across nodes). */
    public String events() { return root + "events/"; }

    /** The root of every key of this layout and of the original project's ({@code <prefix>/apis/v1/}). */
    public String root() { return root; }

    /** This deployment's identity, written once (see {@link ClusterIdentity}). */
    public String cluster() { return root + "cluster"; }

    /** The intent of one operation that creates or removes Docker objects (see {@link Intents}). */
    public String operation(String id) { return operations() + id; }

    public String operations() { return root + "operations/" + node + "/"; }

    public static String lastSegment(String key) { return key.substring(key.lastIndexOf('/') + 1); }
}
