package io.gpudocker.auth;

import io.gpudocker.api.Caller;
import io.gpudocker.recovery.StartRefusedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the admin token comes from: the operator (GDA_ADMIN_TOKEN or --admin-token-file), or, with neither,
 * one generated at the first start: its hash goes to etcd and the token to a 0600 file in the state
 * directory, whose path (never the token) is logged.
 */
public final class AdminToken {
    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
    static final String FILE_NAME = "admin-token";
    /** The shortest admin token the operator may configure. */
    public static final int MIN_LENGTH = 24;

    private AdminToken() {}

    /** The operator's token, or null when none was configured; one shorter than {@link #MIN_LENGTH} refuses the start. */
    public static String configured(String fromEnvironment, String file) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return longEnough(fromEnvironment.trim(), "GDA_ADMIN_TOKEN (gda.auth.admin-token)");
        }
        if (file == null || file.isBlank()) {
            return null;
        }
        String token;
        try {
            token = Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the admin token file " + file + ": " + e.getMessage(), e);
        }
        return longEnough(token, "the admin token file " + file);
    }

    /** The admin token opens every tenant's data: one short enough to guess over the network is not taken. */
    private static String longEnough(String token, String from) {
        if (token.length() < MIN_LENGTH) {
            throw new StartRefusedException("the admin token from " + from + " is shorter than " + MIN_LENGTH + " characters",
                    "give a random token of at least " + MIN_LENGTH + " characters (e.g. `openssl rand -hex 24`), "
                            + "or none to have one generated into the state directory");
        }
        return token;
    }

    /** With no configured token: makes sure etcd holds the admin's hash, generating the token on the first start. */
    static void ensureGenerated(TokenRepository repo, Path stateDir) {
        Path file = stateDir.resolve(FILE_NAME);
        if (repo.byName(Caller.ADMIN_NAME).isPresent()) {
            log.info("admin token: kept in etcd (hash only); it was written to {} when first generated", file);
            return;
        }
        String token = TokenSecrets.newToken();
        try {
            Files.createDirectories(stateDir);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the generated admin token to " + file + ": " + e.getMessage()
                    + " (set gda.state-dir, or give a token with GDA_ADMIN_TOKEN or --admin-token-file)", e);
        }
        repo.create(new TokenRecord(Caller.ADMIN_NAME, TokenRecord.Role.ADMIN, TokenSecrets.sha256(token), Instant.now()));
        log.info("admin token generated: read it from {} (mode 0600); only its hash is stored", file);
    }
}
