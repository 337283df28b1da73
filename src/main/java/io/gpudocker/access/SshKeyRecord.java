package io.gpudocker.access;

import java.time.Instant;

/**
 * An SSH public key a tenant registered, as stored under the tenant.
 *
 * @param fingerprint {@code SHA256:...}, as {@code ssh-keygen -l} prints it
 * @param publicKey   the OpenSSH line as registered (type, key, comment)
 */
public record SshKeyRecord(String tenant, String name, String fingerprint, String publicKey, Instant createTime) {}
