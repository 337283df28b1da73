package io.gpudocker.auth;

import io.gpudocker.api.Caller;
import java.time.Instant;

/** A token as stored: never the token itself, only its SHA-256. */
public record TokenRecord(String name, Role role, String sha256, Instant createTime) {

    public enum Role { ADMIN, USER }

    public Caller caller() {
        return role == Role.ADMIN ? new Caller(name, true) : Caller.tenant(name);
    }
}
