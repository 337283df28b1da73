package io.gpudocker.access;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Tenants' SSH keys in etcd: each under its tenant (to list and remove) and under its fingerprint (to find the tenant of
 * a key offered at login in one read), written and removed in one transaction, so a removed key stops at once on every node.
 */
public class SshKeyRepository {
    private final KeyValueStore store;
    private final Keys keys;

    public SshKeyRepository(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    public List<SshKeyRecord> list(String tenant) {
        return store.list(keys.sshKeys(tenant)).stream().map(kv -> Json.read(kv.value(), SshKeyRecord.class)).toList();
    }

    public Optional<SshKeyRecord> byName(String tenant, String name) {
        return store.get(keys.sshKey(tenant, name)).map(kv -> Json.read(kv.value(), SshKeyRecord.class));
    }

    public Optional<SshKeyRecord> byFingerprint(String fingerprint) {
        return store.get(keys.sshKeyFingerprint(hex(fingerprint))).map(kv -> Json.read(kv.value(), SshKeyRecord.class));
    }

    /** Adds the key unless its name or the key itself is taken (by any tenant); false then, nothing written. */
    public boolean create(SshKeyRecord key) {
        String json = Json.write(key);
        String byName = keys.sshKey(key.tenant(), key.name());
        String byPrint = keys.sshKeyFingerprint(hex(key.fingerprint()));
        return store.commit(new Txn().requireAbsent(byName).requireAbsent(byPrint).put(byName, json).put(byPrint, json));
    }

    public boolean delete(SshKeyRecord key) {
        String json = Json.write(key);
        String byName = keys.sshKey(key.tenant(), key.name());
        return store.commit(new Txn().requireValue(byName, json).delete(byName).delete(keys.sshKeyFingerprint(hex(key.fingerprint()))));
    }

    /** Whether the tenant still has its token: a revoked tenant's keys open nothing. */
    public boolean tenantExists(String tenant) {
        return store.get(keys.token(tenant)).isPresent();
    }

    /** The fingerprint as a key: hex of its text, so '/' and '+' of base64 stay out of the key's path. */
    private static String hex(String fingerprint) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
