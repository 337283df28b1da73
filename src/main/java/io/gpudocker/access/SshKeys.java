package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registering, listing and removing a caller's SSH keys, and telling whose key is offered at login. */
public class SshKeys {
    private static final Logger log = LoggerFactory.getLogger(SshKeys.class);

    private final SshKeyRepository repo;
    private final Clock clock;

    public SshKeys(SshKeyRepository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    public AccessViews.SshKey register(AccessViews.SshKeyCreate req, Caller caller) {
        String line = req.publicKey().strip();
        PublicKey key = parse(line);
        String fingerprint = KeyUtils.getFingerPrint(key);
        SshKeyRecord record = new SshKeyRecord(caller.tenantName(), req.name(), fingerprint, line, clock.instant());
        if (!repo.create(record)) {
            if (repo.byName(caller.tenantName(), req.name()).isPresent()) {
                throw ApiException.of(ErrorCode.SSH_KEY_EXISTS, "you have a key named '%s'; remove it first or choose another name", req.name()).onField("name");
            }
            // the same answer whoever holds it: a caller learns nothing of other tenants' keys
            throw ApiException.of(ErrorCode.SSH_KEY_EXISTS, "key %s is registered already; each key belongs to one tenant", fingerprint).onField("publicKey");
        }
        log.info("ssh key {} ({}) registered for {}", req.name(), fingerprint, caller.name());
        return AccessViews.SshKey.of(record);
    }

    public List<AccessViews.SshKey> list(Caller caller) {
        return repo.list(caller.tenantName()).stream().sorted(Comparator.comparing(SshKeyRecord::name)).map(AccessViews.SshKey::of).toList();
    }

    public void remove(String name, Caller caller) {
        SshKeyRecord record = repo.byName(caller.tenantName(), name)
                .orElseThrow(() -> ApiException.of(ErrorCode.SSH_KEY_NOT_FOUND, "you have no SSH key named '%s'", name));
        if (!repo.delete(record)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "key '%s' changed during this call; nothing was changed, retry", name);
        }
        log.info("ssh key {} of {} removed", name, caller.name());
    }

    /** Whose key this is, read from etcd at each login: a removed key (or a revoked tenant's) opens nothing from then on. */
    public Optional<Caller> owner(PublicKey key) {
        return repo.byFingerprint(KeyUtils.getFingerPrint(key)).flatMap(r -> {
            if (Caller.ADMIN_NAME.equals(r.tenant())) {
                return Optional.of(Caller.ADMIN);
            }
            return repo.tenantExists(r.tenant()) ? Optional.of(Caller.tenant(r.tenant())) : Optional.empty();
        });
    }

    static PublicKey parse(String line) {
        try {
            if (line.contains("\n") || line.contains("PRIVATE KEY")) {
                throw new IllegalArgumentException("one public key line only");
            }
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
            if (key == null) {
                throw new IllegalArgumentException("unsupported key type");
            }
            return key;
        } catch (Exception e) {
            throw ApiException.of(ErrorCode.SSH_KEY_INVALID, "publicKey is not a usable OpenSSH public key line (%s)", e.getMessage()).onField("publicKey");
        }
    }
}
