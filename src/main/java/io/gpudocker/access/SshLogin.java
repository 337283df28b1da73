package io.gpudocker.access;

import io.gpudocker.api.Caller;
import java.util.Optional;
import org.apache.sshd.common.AttributeRepository.AttributeKey;

/**
 * Who logged in to which instance: {@code ssh foo@host} names instance {@code foo}, {@code ssh alice+foo@host} also
 * the tenant the key must belong to (for a key shared by mistake, or for the admin to say whose instance it means).
 */
record SshLogin(Caller caller, String replicaSet) {
    static final AttributeKey<SshLogin> KEY = new AttributeKey<>();

    /** The user name's parts: the tenant it names (or none) and the instance. */
    record UserName(Optional<String> tenant, String replicaSet) {
        static Optional<UserName> parse(String user) {
            if (user == null || user.isEmpty()) {
                return Optional.empty();
            }
            int plus = user.indexOf('+');
            if (plus < 0) {
                return Optional.of(new UserName(Optional.empty(), user));
            }
            String tenant = user.substring(0, plus);
            String name = user.substring(plus + 1);
            return tenant.isEmpty() || name.isEmpty() || name.indexOf('+') >= 0 ? Optional.empty() : Optional.of(new UserName(Optional.of(tenant), name));
        }
    }
}
