package io.gpudocker.auth;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Issuing, listing, revoking and checking bearer tokens. Only hashes are kept; a token is shown once, when issued. */
public class Tokens {
    private static final Logger log = LoggerFactory.getLogger(Tokens.class);

    private final TokenRepository repo;
    private final String configuredAdminHash;

    /** @param configuredAdminToken the operator's admin token (environment or file), or null when it is kept in etcd */
    public Tokens(TokenRepository repo, String configuredAdminToken) {
        this.repo = repo;
        this.configuredAdminHash = configuredAdminToken == null ? null : TokenSecrets.sha256(configuredAdminToken);
    }

    /**
     * Who a bearer token belongs to; empty for an unknown or revoked one. Reads etcd, so a revocation counts at
     * once. Once the operator configures the admin token, one generated earlier and kept in etcd stops counting.
     */
    public Optional<Caller> authenticate(String token) {
        String hash = TokenSecrets.sha256(token);
        if (configuredAdminHash != null && TokenSecrets.sameHash(configuredAdminHash, hash)) {
            return Optional.of(Caller.ADMIN);
        }
        return repo.byHash(hash)
                .filter(t -> TokenSecrets.sameHash(t.sha256(), hash))
                .filter(t -> configuredAdminHash == null || t.role() != TokenRecord.Role.ADMIN)
                .map(TokenRecord::caller);
    }

    public TokenViews.Issued issue(TokenViews.Create req) {
        String name = req.name();
        if (Caller.ADMIN_NAME.equals(name)) {
            throw ApiException.of(ErrorCode.TOKEN_EXISTS, "'%s' is the admin's name; choose another tenant name", name).onField("name");
        }
        String token = TokenSecrets.newToken();
        TokenRecord record = new TokenRecord(name, TokenRecord.Role.USER, TokenSecrets.sha256(token), Instant.now());
        repo.create(record);
        log.info("token issued for tenant {}", name);
        return new TokenViews.Issued(name, record.role().name().toLowerCase(), record.createTime(), token);
    }

    public List<TokenViews.Summary> list() {
        return repo.list().stream().sorted(Comparator.comparing(TokenRecord::name))
                .map(t -> new TokenViews.Summary(t.name(), t.role().name().toLowerCase(), t.createTime())).toList();
    }

    public void revoke(String name) {
        TokenRecord token = repo.byName(name).filter(t -> t.role() == TokenRecord.Role.USER)
                .orElseThrow(() -> ApiException.of(ErrorCode.TOKEN_NOT_FOUND, "no tenant token named '%s'", name));
        if (!repo.delete(token)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "token '%s' changed during this call; nothing was changed, retry", name);
        }
        log.info("token of tenant {} revoked", name);
    }

    /** Every tenant (a user token), by name. */
    public List<TokenRecord> tenants() {
        return repo.list().stream().filter(t -> t.role() == TokenRecord.Role.USER).sorted(Comparator.comparing(TokenRecord::name)).toList();
    }

    /** The tenant of that name, refused (1063) when there is none. */
    public TokenRecord requireTenant(String name) {
        return repo.byName(name).filter(t -> t.role() == TokenRecord.Role.USER).orElseThrow(() -> noTenant(name));
    }

    static ApiException noTenant(String name) {
        return ApiException.of(ErrorCode.TOKEN_NOT_FOUND, "no tenant named '%s'", name);
    }

    /** Whether the admin token lives in etcd (generated at first start) rather than with the operator. */
    boolean adminTokenConfigured() {
        return configuredAdminHash != null;
    }
}
