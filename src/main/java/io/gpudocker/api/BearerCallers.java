package io.gpudocker.api;

import java.util.Optional;

/** Who a bearer token belongs to, for the one step that must know before the security chain runs (a read sent on to its node). */
@FunctionalInterface
public interface BearerCallers {
    /**
     * The request attribute under which that step leaves what it found ({@link Checked}), so that the security chain,
     * when the call goes on through it, does not ask etcd about the same token again. A client cannot set an attribute.
     */
    String CHECKED = BearerCallers.class.getName() + ".checked";

    /** A token and whom it named (empty: unknown or revoked) when checked earlier in the same call. */
    record Checked(String token, Optional<Caller> caller) {}

    /**
     * The caller {@code token} belongs to; empty for an unknown or revoked one.
     *
     * @throws ApiException when it cannot be told (etcd does not answer)
     */
    Optional<Caller> authenticate(String token);
}
