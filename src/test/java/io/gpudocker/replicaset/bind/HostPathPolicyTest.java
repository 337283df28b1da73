package io.gpudocker.replicaset.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host-path policy on a real filesystem: an allowed root holding ordinary directories, links out of it,
 * and (to prove they are refused even under a root) a stand-in Docker data root and socket.
 */
class HostPathPolicyTest {
    @TempDir
    Path tmp;
    private Path dir;
    private Path allowed;
    private Path outside;
    private Path dockerRoot;
    private Path socket;
    private HostPathPolicy policy;

    @BeforeEach
    void anAllowedRootHoldingDockersDataRootAndSocket() throws Exception {
        dir = tmp.toRealPath();
        allowed = Files.createDirectories(dir.resolve("allowed"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(allowed.resolve("work"));
        Files.createDirectories(allowed.resolve("other"));
        dockerRoot = Files.createDirectories(allowed.resolve("docker"));
        Files.createDirectories(dockerRoot.resolve("volumes"));
        socket = Files.createFile(allowed.resolve("docker.sock"));
        Files.createSymbolicLink(allowed.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(allowed.resolve("to-etc"), Path.of("/etc"));
        Files.createSymbolicLink(allowed.resolve("to-outside"), outside);
        Files.createSymbolicLink(allowed.resolve("to-socket"), socket);
        Files.createSymbolicLink(allowed.resolve("to-work"), allowed.resolve("work"));
        Files.createSymbolicLink(allowed.resolve("dangling"), dir.resolve("no-such-target"));
        policy = policy(List.of(allowed.toString()));
    }

    /** The links out of the temp dir go first, so its cleanup has nothing outside it to warn about. */
    @AfterEach
    void removeLinksOutOfTheTempDir() throws Exception {
        Files.deleteIfExists(allowed.resolve("to-root"));
        Files.deleteIfExists(allowed.resolve("to-etc"));
    }

    @Test
    void aDirectoryUnderAnAllowedRootIsAllowedAsItsRealPath() {
        assertThat(policy.realPathOf(bind(allowed.resolve("work")))).isEqualTo(allowed.resolve("work"));
        assertThat(policy.realPathOf(bind(allowed.resolve("to-work")))).as("a link that stays inside").isEqualTo(allowed.resolve("work"));
    }

    /** At a start the engine asks about the path it walked free of links: the deny list and the roots hold there too. */
    @Test
    void aWalkedPathIsAllowedOnlyUnderARootAndOffTheDenyList() {
        assertThat(policy.allows(allowed.resolve("work"))).isTrue();
        assertThat(policy.allows(allowed.resolve("not-yet-made"))).isTrue();
        assertThat(policy.allows(outside)).as("outside the roots").isFalse();
        assertThat(policy.allows(dockerRoot.resolve("volumes"))).as("Docker's data root").isFalse();
        assertThat(policy.allows(socket)).as("Docker's socket").isFalse();
        assertThat(policy.allows(allowed)).as("a root that holds Docker's data root").isFalse();
        assertThat(policy.allows(Path.of(allowed + "/work/../../outside"))).as("'..' is not resolved here").isFalse();
        assertThat(policy.allows(Path.of("work"))).as("a relative path").isFalse();
        assertThat(policy(List.of()).allows(allowed.resolve("work"))).as("no roots at all").isFalse();
    }

    @Test
    void aPathOutsideEveryRootIsRefusedNamingTheBindItsRealPathAndTheRoots() {
        refused(outside).hasMessageContaining("bind '" + outside + ":/mnt' refused")
                .hasMessageNotContaining("resolves")
                .hasMessageContaining("allowed roots: " + allowed);
    }

    @Test
    void dotDotIsResolvedBeforeComparing() {
        refused(allowed + "/work/../../outside").hasMessageContaining("is not allowed");
        assertThat(policy.realPathOf(bind(allowed + "/work/../other"))).isEqualTo(allowed.resolve("other"));
    }

    @Test
    void linksLeadingOutOfTheRootAreFollowedAndRefused() {
        refused(allowed.resolve("to-root")).hasMessageContaining("is not allowed");
        refused(allowed.resolve("to-etc")).hasMessageContaining("is not allowed");
        refused(allowed.resolve("to-etc/passwd")).hasMessageContaining("is not allowed");
        refused(allowed.resolve("to-outside")).hasMessageContaining("is not allowed");
        refused(allowed + "/to-work/../../outside").as("'..' after a link goes up from the link's target")
                .hasMessageContaining("is not allowed");
    }

    @Test
    void dockersDataRootAndSocketAreRefusedEvenUnderAnAllowedRoot() {
        refused(dockerRoot).hasMessageContaining("is not allowed");
        refused(dockerRoot.resolve("volumes")).hasMessageContaining("is not allowed");
        refused(socket).hasMessageContaining("is not allowed");
        refused(allowed.resolve("to-socket")).hasMessageContaining("is not allowed");
        refused(allowed).as("the root itself contains them").hasMessageContaining("is not allowed");
    }

    @Test
    void aPathThatDoesNotExistYetResolvesThroughItsLongestExistingAncestor() {
        assertThat(policy.realPathOf(bind(allowed.resolve("new/deeper")))).isEqualTo(allowed.resolve("new/deeper"));
        assertThat(policy.realPathOf(bind(allowed.resolve("to-work/new")))).isEqualTo(allowed.resolve("work/new"));
        refused(allowed.resolve("to-etc/new")).hasMessageContaining("is not allowed");
        refused(allowed.resolve("to-root/new")).hasMessageContaining("is not allowed");
        refused(allowed + "/nothing/../../outside/new").hasMessageContaining("is not allowed");
        refused(dockerRoot.resolve("volumes/new")).hasMessageContaining("is not allowed");
    }

    @Test
    void dotDotOutOfAMissingDirectoryStillFollowsTheLinkItLandsOn() {
        refused(allowed + "/nothing/../to-etc").hasMessageContaining("is not allowed");
        refused(allowed + "/nothing/../to-root/new").hasMessageContaining("is not allowed");
        refused(allowed + "/nothing/./../to-outside/new").hasMessageContaining("is not allowed");
        refused(allowed + "/nothing/../dangling/new").hasMessageContaining("symbolic link whose target does not exist");
        assertThat(policy.realPathOf(bind(allowed + "/nothing/../to-work/new"))).isEqualTo(allowed.resolve("work/new"));
        assertThat(policy.realPathOf(bind(allowed + "/nothing/deeper/../../other"))).isEqualTo(allowed.resolve("other"));
    }

    @Test
    void aDanglingLinkIsRefusedSinceDockerWouldCreateItsTarget() {
        refused(allowed.resolve("dangling")).hasMessageContaining("symbolic link whose target does not exist");
        refused(allowed.resolve("dangling/below")).hasMessageContaining("symbolic link whose target does not exist");
    }

    @Test
    void aRootOfSlashStillRefusesTheHostsRootAndSystemDirectoriesAndWhatContainsThem() {
        HostPathPolicy everything = policy(List.of("/"));
        for (String path : List.of("/", "/etc", "/etc/shadow", "/proc/1", "/sys", "/dev/sda", "/boot", "/run", "/var/run/docker.sock")) {
            assertThatThrownBy(() -> everything.realPathOf(bind(path))).as(path).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BIND_INVALID));
        }
        assertThatThrownBy(() -> everything.realPathOf(bind("/var"))).hasMessageContaining("is not allowed");
        assertThatThrownBy(() -> everything.realPathOf(bind(dir.toString()))).hasMessageContaining("is not allowed");
        assertThat(everything.realPathOf(bind(allowed.resolve("work")))).isEqualTo(allowed.resolve("work"));
        assertThat(everything.realPathOf(bind(outside))).isEqualTo(outside);
    }

    @Test
    void homesProgramsCronEtcdAndTheServicesStateStayRefusedUnderARootOfSlash() {
        HostPathPolicy everything = new HostPathPolicy(List.of("/"), "unix://" + socket, () -> dockerRoot.toString(), dir.resolve("state").toString());
        for (String path : List.of("/root", "/root/.ssh", "/usr", "/usr/local/bin", "/home", "/home/alice", "/var/spool/cron",
                "/var/spool/cron/crontabs", "/var/lib/etcd", "/var/lib/etcd/member", dir.resolve("state").toString(),
                dir.resolve("state/binds").toString(), dir.toString())) {
            assertThatThrownBy(() -> everything.realPathOf(bind(path))).as(path).hasMessageContaining("'" + path + ":/mnt'")
                    .hasMessageContaining("is not allowed");
        }
    }

    @Test
    void aRefusalNamesOnlyWhatTheUserSent() {
        assertThatThrownBy(() -> policy.realPathOf(bind(allowed.resolve("to-etc/passwd")))).hasMessageNotContaining("'/etc")
                .hasMessageNotContaining("/etc/passwd'").hasMessageNotContaining("resolves");
        assertThatThrownBy(() -> policy(List.of()).realPathOf(bind(allowed.resolve("to-root"))))
                .as("with no roots nothing is even resolved").hasMessageNotContaining("'/'").hasMessageContaining("allows no host paths");
    }

    @Test
    void withNoRootsListedNoHostPathIsAllowed() {
        HostPathPolicy none = policy(List.of());
        assertThatThrownBy(() -> none.realPathOf(bind(allowed.resolve("work"))))
                .hasMessageContaining("is not allowed")
                .hasMessageContaining("allowed roots: none");
    }

    @Test
    void aRootGivenThroughALinkIsComparedByItsRealPath() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("root-link"), allowed);
        HostPathPolicy viaLink = policy(List.of(link.toString()));
        assertThat(viaLink.realPathOf(bind(allowed.resolve("work")))).isEqualTo(allowed.resolve("work"));
        assertThat(viaLink.realPathOf(bind(link.resolve("work")))).isEqualTo(allowed.resolve("work"));
        assertThatThrownBy(() -> viaLink.realPathOf(bind(outside))).hasMessageContaining("allowed roots: " + link + " (" + allowed + ")");
    }

    @Test
    void aRootThatDoesNotExistAllowsNothing() {
        HostPathPolicy missing = policy(List.of(dir.resolve("not-yet").toString()));
        assertThatThrownBy(() -> missing.realPathOf(bind(dir.resolve("not-yet/work"))))
                .hasMessageContaining("is not allowed");
    }

    @Test
    void dockersDataRootIsAskedForOnce() {
        AtomicInteger asked = new AtomicInteger();
        HostPathPolicy counting = new HostPathPolicy(List.of(allowed.toString()), "unix://" + socket, () -> {
            asked.incrementAndGet();
            return dockerRoot.toString();
        });
        counting.realPathOf(bind(allowed.resolve("work")));
        counting.realPathOf(bind(allowed.resolve("other")));
        assertThatThrownBy(() -> counting.realPathOf(bind(dockerRoot))).hasMessageContaining("is not allowed");
        assertThat(asked).hasValue(1);
    }

    /** Tenants under one root: each binds only its own directory of it, unless the operator lets them share it. */
    @Test
    void aTenantBindsOnlyBelowItsOwnDirectoryOfARoot() throws Exception {
        Path alices = Files.createDirectories(allowed.resolve("alice").resolve("data"));
        Path bobs = Files.createDirectories(allowed.resolve("bob"));
        Files.createDirectories(allowed.resolve("alice2"));
        assertThat(policy.realPathOf(bind(alices), "alice")).isEqualTo(alices);
        assertThat(policy.realPathOf(bind(allowed.resolve("alice").resolve("new")), "alice")).isEqualTo(allowed.resolve("alice").resolve("new"));
        for (Path elsewhere : List.of(bobs, allowed.resolve("alice2"), allowed.resolve("work"), allowed.resolve("alice").resolve("..").resolve("bob"))) {
            assertThatThrownBy(() -> policy.realPathOf(bind(elsewhere), "alice")).as(elsewhere.toString())
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BIND_INVALID))
                    .hasMessageContaining("its own directory of an allowed root, <root>/alice");
        }
        assertThatThrownBy(() -> policy.realPathOf(bind(allowed), "alice")).as("the root itself").isInstanceOf(ApiException.class);
        assertThat(policy.realPathOf(bind(bobs), "admin")).isEqualTo(bobs);
        assertThat(policy.realPathOf(bind(bobs), null)).isEqualTo(bobs);
        HostPathPolicy shared = new HostPathPolicy(List.of(allowed.toString()), "unix://" + socket, () -> dockerRoot.toString(), null, true);
        assertThat(shared.realPathOf(bind(bobs), "alice")).isEqualTo(bobs);
        assertThatThrownBy(() -> shared.realPathOf(bind(allowed.resolve("to-etc")), "alice")).isInstanceOf(ApiException.class);
    }

    /**
     * Roots one inside another (/data and /data/projects): a tenant named like the inner root's directory owns its own
     * directory of each root, never the inner root with every other tenant's directory in it.
     */
    @Test
    void aTenantNamedLikeAnInnerRootGetsOnlyItsOwnDirectoryOfIt() throws Exception {
        Path projects = Files.createDirectories(allowed.resolve("projects"));
        Path bobs = Files.createDirectories(projects.resolve("bob"));
        Path own = Files.createDirectories(projects.resolve("projects"));
        Path alices = Files.createDirectories(allowed.resolve("alice"));
        HostPathPolicy nested = new HostPathPolicy(List.of(allowed.toString(), projects.toString()), "unix://" + socket,
                () -> dockerRoot.toString(), null, false);
        for (Path others : List.of(bobs, projects)) {
            assertThatThrownBy(() -> nested.realPathOf(bind(others), "projects")).as(others.toString())
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BIND_INVALID));
        }
        assertThat(nested.realPathOf(bind(own), "projects")).isEqualTo(own);
        assertThat(nested.realPathOf(bind(bobs), "bob")).isEqualTo(bobs);
        assertThat(nested.realPathOf(bind(alices), "alice")).isEqualTo(alices);
    }

    private HostPathPolicy policy(List<String> roots) {
        return new HostPathPolicy(roots, "unix://" + socket, () -> dockerRoot.toString());
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(Object path) {
        return assertThatThrownBy(() -> policy.realPathOf(bind(path))).as(String.valueOf(path))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BIND_INVALID));
    }

    private static Bind bind(Object src) {
        return new Bind(src.toString(), "/mnt");
    }
}
