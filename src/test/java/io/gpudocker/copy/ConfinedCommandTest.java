package io.gpudocker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThatCode;

import io.gpudocker.common.ProcessRunner;
import io.gpudocker.common.StandInConfinement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confinement the copies run in, against the real unshare, mount and chroot (as root, where the service
 * runs): what the confined program sees, what it may write, that a path is never shell text, and that no
 * mount is left on the host.
 */
@Timeout(60)
class ConfinedCommandTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final ConfinedCommand confined = new ConfinedCommand();
    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void thePathsAreArgumentsAfterTheScriptNeverPartOfIt() {
        String from = "/v/a b;$(touch /pwned)'\"";
        List<String> cmd = confined.command(from, "/v/to", List.of("cp", "-a", "--", "/from", "/to"));

        assertThat(cmd.subList(0, 7)).containsExactly("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c");
        assertThat(cmd.get(7)).doesNotContain(from).contains("chroot");
        assertThat(cmd.subList(8, cmd.size())).containsExactly("confined", from, "/v/to", "cp", "-a", "--", "/from", "/to");
        assertThat(confined.command("/v/a", null, List.of("du", "/from"))).endsWith("confined", "/v/a", "", "du", "/from");
        assertThatThrownBy(() -> confined.command("/v/a", null, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfinedProgramSeesTheTwoTreesAndTheSystemDirectoriesOnly(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));
        Files.writeString(from.resolve("f"), "in the tree\n");

        String seen = run(from, to, "ls", "-A", "/");
        String read = run(from, to, "cat", "/from/f");

        assertThat(Arrays.asList(seen.split("\n"))).contains("from", "to", "usr")
                .isSubsetOf("from", "to", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32");
        assertThat(read).isEqualTo("in the tree\n");
        assertThat(Arrays.asList(run(from, null, "ls", "-A", "/").split("\n"))).doesNotContain("to");
    }

    @Test
    void aLinkOutOfTheTreeLeadsNowhereEvenForACpThatFollowsLinks(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path secret = Files.createDirectories(tmp.resolve("host-only"));
        Files.writeString(secret.resolve("secret.txt"), "host secret\n");
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));
        Files.createSymbolicLink(from.resolve("d"), secret);
        Files.createSymbolicLink(from.resolve("root"), Path.of("/"));

        ProcessRunner.Result followed = runner.run(confined.command(from.toString(), to.toString(),
                List.of("cp", "-a", "-L", "-T", "--", "/from", "/to")), LIMIT);
        ProcessRunner.Result kept = runner.run(confined.command(from.toString(), to.toString(),
                List.of("cp", "-a", "-T", "--", "/from", "/to/kept")), LIMIT);

        assertThat(followed.succeeded()).as("the link to %s names nothing inside: %s", secret, followed).isFalse();
        assertThat(to.resolve("d/secret.txt")).doesNotExist();
        assertThat(to.resolve("root/etc")).as("/ inside is the confinement's root, not the host's").doesNotExist();
        assertThat(kept.succeeded()).as(kept.toString()).isTrue();
        assertThat(Files.readSymbolicLink(to.resolve("kept/d"))).as("cp -a copies the link as a link").isEqualTo(secret);
    }

    @Test
    void theSourceIsReadOnlyAndTheTargetWritable(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));

        ProcessRunner.Result intoSource = runner.run(confined.command(from.toString(), to.toString(), List.of("touch", "/from/x")), LIMIT);
        ProcessRunner.Result intoRoot = runner.run(confined.command(from.toString(), to.toString(), List.of("mkdir", "/etc")), LIMIT);
        run(from, to, "touch", "/to/x");

        assertThat(intoSource.succeeded()).isFalse();
        assertThat(intoSource.stderr()).contains("Read-only file system");
        assertThat(intoRoot.succeeded()).as("the confinement's own root is read-only too").isFalse();
        assertThat(from.resolve("x")).doesNotExist();
        assertThat(to.resolve("x")).exists();
    }

    @Test
    void pathsWithSpacesQuotesAndShellTextAreJustPaths(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path from = Files.createDirectories(tmp.resolve("a b;$(touch " + tmp.resolve("pwned") + ")'\""));
        Path to = Files.createDirectories(tmp.resolve("to `id`"));
        Files.writeString(from.resolve("f"), "x");

        run(from, to, "cp", "-a", "-T", "--", "/from", "/to");

        assertThat(to.resolve("f")).hasContent("x");
        assertThat(tmp.resolve("pwned")).doesNotExist();
    }

    @Test
    void noMountOfTheConfinementIsLeftOnTheHostEvenWhenTheProgramIsKilled(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));

        run(from, to, "true");
        assertThatThrownBy(() -> runner.run(confined.command(from.toString(), to.toString(), List.of("sleep", "300")), Duration.ofSeconds(2)))
                .isInstanceOf(ProcessRunner.TimedOut.class);

        String after = Files.readString(Path.of("/proc/self/mountinfo"));
        // by name only: other mounts come and go on a shared host meanwhile
        assertThat(after).doesNotContain("gda-confined").doesNotContain(tmp.toString());
    }

    @Test
    void theScriptRefusesToMountAnythingOutsideANamespaceOfItsOwn(@TempDir Path tmp) throws Exception {
        assumeConfinable();
        Path from = Files.createDirectories(tmp.resolve("from"));
        List<String> direct = confined.command(from.toString(), null, List.of("true")).subList(5, 12);
        // run without a namespace between it and its parent; inside a throwaway one, so a broken check harms nothing
        List<String> cmd = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                "\"$@\"; echo \"exit $?\"", "outer"));
        cmd.addAll(direct);

        ProcessRunner.Result r = runner.run(cmd, LIMIT);

        assertThat(r.stdout()).isEqualTo("exit 125\n");
        assertThat(r.stderr()).contains("not in a mount namespace of its own");
    }

    @Test
    void withoutAMountNamespaceItRefusesNamingWhatTheServiceNeeds(@TempDir Path tmp) throws Exception {
        ConfinedCommand refused = StandInConfinement.refused(tmp);

        assertThatThrownBy(refused::requireAvailable).isInstanceOf(ConfinedCommand.Unavailable.class)
                .hasMessageContaining("Operation not permitted").hasMessageContaining("as root (with CAP_SYS_ADMIN)")
                .hasMessageContaining("nothing was copied");
    }

    private String run(Path from, Path to, String... program) {
        return runner.runOrFail("confined " + program[0], confined.command(from.toString(), to == null ? null : to.toString(), List.of(program)), LIMIT);
    }

    private void assumeConfinable() {
        assumeThatCode(confined::requireAvailable).as("a mount namespace can be made here (root)").doesNotThrowAnyException();
    }
}
