package io.gpudocker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.recovery.StartRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartWritesTheTokenToA0600FileAndOnlyItsHashToEtcd() throws Exception {
        TokenRepository repo = mock(TokenRepository.class);
        when(repo.byName(Caller.ADMIN_NAME)).thenReturn(Optional.empty());

        AdminToken.ensureGenerated(repo, dir.resolve("state"));

        Path file = dir.resolve("state").resolve(AdminToken.FILE_NAME);
        String token = Files.readString(file).trim();
        assertThat(token).startsWith("gda_").hasSizeGreaterThan(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        ArgumentCaptor<TokenRecord> stored = ArgumentCaptor.forClass(TokenRecord.class);
        verify(repo).create(stored.capture());
        assertThat(stored.getValue().role()).isEqualTo(TokenRecord.Role.ADMIN);
        assertThat(stored.getValue().sha256()).isEqualTo(TokenSecrets.sha256(token)).isNotEqualTo(token);
        assertThat(new Tokens(repoKnowing(stored.getValue()), null).authenticate(token)).contains(new Caller(Caller.ADMIN_NAME, true));
    }

    @Test
    void laterStartsKeepTheStoredTokenAndWriteNothing() {
        TokenRepository repo = mock(TokenRepository.class);
        when(repo.byName(Caller.ADMIN_NAME)).thenReturn(Optional.of(
                new TokenRecord(Caller.ADMIN_NAME, TokenRecord.Role.ADMIN, "00", Instant.now())));

        AdminToken.ensureGenerated(repo, dir);

        verify(repo, never()).create(any());
        assertThat(dir.resolve(AdminToken.FILE_NAME)).doesNotExist();
    }

    @Test
    void theOperatorsTokenComesFromTheEnvironmentOrAFile() throws Exception {
        assertThat(AdminToken.configured(" from-env-0123456789abcdef ", "/nonexistent")).isEqualTo("from-env-0123456789abcdef");
        Path file = Files.writeString(dir.resolve("t"), "from-file-0123456789abcdef\n");
        assertThat(AdminToken.configured(null, file.toString())).isEqualTo("from-file-0123456789abcdef");
        assertThat(AdminToken.configured("", null)).isNull();
        assertThatThrownBy(() -> AdminToken.configured(null, dir.resolve("missing").toString())).hasMessageContaining("cannot read");
    }

    @Test
    void aShortOperatorTokenRefusesTheStart() throws Exception {
        Path shortOne = Files.writeString(dir.resolve("s"), "0123456789abcdef\n");
        assertThatThrownBy(() -> AdminToken.configured(null, shortOne.toString()))
                .isInstanceOf(StartRefusedException.class).hasMessageContaining("shorter than 24");
        assertThatThrownBy(() -> AdminToken.configured("letmein-letmein", null))
                .isInstanceOf(StartRefusedException.class).hasMessageContaining("GDA_ADMIN_TOKEN").hasMessageContaining("shorter than 24");
        assertThat(((StartRefusedException) catchThrowable(() -> AdminToken.configured("x".repeat(23), null))).getExitCode())
                .isEqualTo(StartRefusedException.EXIT_STATUS);
        assertThat(AdminToken.configured("x".repeat(24), null)).hasSize(24);
    }

    @Test
    void aConfiguredAdminTokenAuthenticatesWithoutEtcdAndOthersDoNot() {
        TokenRepository repo = mock(TokenRepository.class);
        when(repo.byHash(any())).thenReturn(Optional.empty());
        Tokens tokens = new Tokens(repo, "operator-token-0123456789");
        assertThat(tokens.authenticate("operator-token-0123456789")).contains(Caller.ADMIN);
        assertThat(tokens.authenticate("operator-token-0123456788")).isEmpty();
    }

    @Test
    void aGeneratedAdminTokenStopsCountingOnceTheOperatorConfiguresOne() {
        String generated = TokenSecrets.newToken();
        TokenRecord stored = new TokenRecord(Caller.ADMIN_NAME, TokenRecord.Role.ADMIN, TokenSecrets.sha256(generated), Instant.now());
        assertThat(new Tokens(repoKnowing(stored), null).authenticate(generated)).contains(Caller.ADMIN);
        assertThat(new Tokens(repoKnowing(stored), "operator-token-0123456789").authenticate(generated)).isEmpty();
    }

    private static TokenRepository repoKnowing(TokenRecord record) {
        TokenRepository repo = mock(TokenRepository.class);
        when(repo.byHash(record.sha256())).thenReturn(Optional.of(record));
        return repo;
    }
}
