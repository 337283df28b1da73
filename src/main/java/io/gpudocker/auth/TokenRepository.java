package io.gpudocker.auth;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.List;
import java.util.Optional;

/**
 * Tokens in etcd, so every node of a deployment shares them: each record under its name (to list and
 * revoke) and under its hash (to check a bearer in one read), written and removed in one transaction.
 */
public class TokenRepository {
    private final KeyValueStore store;
    private final Keys keys;

    public TokenRepository(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    public Optional<TokenRecord> byHash(String sha256) {
        return store.get(keys.tokenHash(sha256)).map(kv -> Json.read(kv.value(), TokenRecord.class));
    }

    public Optional<TokenRecord> byName(String name) {
        return store.get(keys.token(name)).map(kv -> Json.read(kv.value(), TokenRecord.class));
    }

    public List<TokenRecord> list() {
        return store.list(keys.tokens()).stream().map(kv -> Json.read(kv.value(), TokenRecord.class)).toList();
    }

    /** Adds the token unless one of that name exists. */
    public void create(TokenRecord token) {
        String json = Json.write(token);
        Txn txn = new Txn().requireAbsent(keys.token(token.name())).requireAbsent(keys.tokenHash(token.sha256()))
                .put(keys.token(token.name()), json).put(keys.tokenHash(token.sha256()), json);
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.TOKEN_EXISTS, "a token named '%s' exists; revoke it first to issue a new one", token.name());
        }
    }

    /** Revokes: from this write on, the token authenticates nothing. */
    public boolean delete(TokenRecord token) {
        return store.commit(new Txn().requireValue(keys.token(token.name()), Json.write(token))
                .delete(keys.token(token.name())).delete(keys.tokenHash(token.sha256())));
    }
}
