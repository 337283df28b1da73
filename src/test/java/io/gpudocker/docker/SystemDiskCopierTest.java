package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.copy.CopyMethod;
import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.common.ProcessRunner;
import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.common.StandInCommand;
import io.gpudocker.common.StandInConfinement;
import io.gpudocker.copy.ConfinedCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SystemDiskCopierTest {
    private final SystemDiskCopier copier = new SystemDiskCopier("cp");

    private static ContainerDetail container(String name, String driver, Path upper) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, "exited", false, false, Map.of()))
                .withStorage(driver, upper == null ? null : upper.toString());
    }

    @Test
    void refusesOtherStorageDriversNamingWhatIsNeeded(@TempDir Path dir) {
        assertThatThrownBy(() -> copier.requireSupported(container("foo-1", "vfs", dir)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("vfs").hasMessageContaining("overlay2")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.SYSTEM_DISK_UNSUPPORTED));
    }

    @Test
    void refusesALayerThisServiceCannotSee() {
        assertThatThrownBy(() -> copier.requireSupported(container("foo-1", "overlay2", Path.of("/nonexistent/upper"))))
                .hasMessageContaining("not visible").hasMessageContaining("Docker host");
        assertThatThrownBy(() -> copier.requireSupported(container("foo-1", "overlay2", null)))
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.SYSTEM_DISK_UNSUPPORTED));
    }

    @Test
    void copiesContentsDotfilesLinksAndModesIntoTheNewLayer(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("old/diff"));
        Path to = Files.createDirectories(tmp.resolve("new/diff"));
        Files.createDirectories(from.resolve("root"));
        Files.writeString(from.resolve("root/file"), "data");
        Files.setPosixFilePermissions(from.resolve("root/file"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(from.resolve(".dotfile"), "dot");
        Files.createSymbolicLink(from.resolve("root/link"), Path.of("/root/file"));
        Files.createLink(from.resolve("root/hard"), from.resolve("root/file"));

        copier.copy(container("foo-1", "overlay2", from), container("foo-2", "overlay2", to));

        assertThat(Files.readString(to.resolve("root/file"))).isEqualTo("data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(to.resolve("root/file")))).isEqualTo("rw-------");
        assertThat(Files.readString(to.resolve(".dotfile"))).isEqualTo("dot");
        assertThat(Files.readSymbolicLink(to.resolve("root/link"))).isEqualTo(Path.of("/root/file"));
        assertThat(Files.isSameFile(to.resolve("root/hard"), to.resolve("root/file"))).as("hard link kept").isTrue();
    }

    @Test
    void aFailedCopyIsAPlainFailureNamingBothContainers(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("old"));
        Path to = Files.createDirectories(tmp.resolve("new"));
        Files.writeString(from.resolve("f"), "x");
        SystemDiskCopier broken = new SystemDiskCopier("false", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(tmp));
        // not an ApiException: update, rollback and restart each report a failed copy under their own code
        assertThatThrownBy(() -> broken.copy(container("foo-1", "overlay2", from), container("foo-2", "overlay2", to)))
                .isInstanceOf(ProcessRunner.Failed.class)
                .isNotInstanceOf(ApiException.class)
                .hasMessageContaining("foo-1").hasMessageContaining("foo-2").hasMessageContaining("exited 1");
    }

    @Test
    @Timeout(60)
    void aHungCopyIsKilledAndReported(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("old"));
        Path to = Files.createDirectories(tmp.resolve("new"));
        SystemDiskCopier hung = new SystemDiskCopier(StandInCommand.write(tmp, "cp", "sleep 300"), Duration.ofMillis(500), StandInConfinement.write(tmp));

        long started = System.nanoTime();
        assertThatThrownBy(() -> hung.copy(container("foo-1", "overlay2", from), container("foo-2", "overlay2", to)))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessageStartingWith("copying the system disk of foo-1 into foo-2 failed: ")
                .hasMessageEndingWith("did not finish within 500ms; it was killed")
                .hasCauseInstanceOf(ProcessRunner.TimedOut.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void onAFilesystemWithoutReflinksTheCopyIsBytesAndReportedSo(@TempDir Path tmp) throws Exception {
        assumeThat(Files.getFileStore(tmp).type()).isNotIn("xfs", "btrfs");
        Path from = Files.createDirectories(tmp.resolve("old/diff"));
        Path to = Files.createDirectories(tmp.resolve("new/diff"));
        Files.writeString(from.resolve("f"), "x");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SystemDiskCopier bytes = new SystemDiskCopier("cp", Duration.ofMinutes(1), new ReflinkProbe("cp"), new CopyMetrics(registry), new ConfinedCommand());

        CopyReport report = bytes.copy(container("foo-1", "overlay2", from), container("foo-2", "overlay2", to));

        assertThat(report.kind()).isEqualTo("system-disk");
        assertThat(report.method()).isEqualTo(CopyMethod.BYTES);
        assertThat(report.millis()).isNotNegative();
        assertThat(Files.readString(to.resolve("f"))).isEqualTo("x");
        assertThat(registry.get(CopyMetrics.METER).tags("kind", "system-disk", "method", "bytes").timer().count()).isEqualTo(1);
    }

    @Test
    void whereTheFilesystemClonesTheCopyInsistsOnReflinks(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("old/diff"));
        Path to = Files.createDirectories(tmp.resolve("new/diff"));
        Files.writeString(from.resolve("f"), "x");
        Path calls = tmp.resolve("calls");
        // a cp that claims to clone: it logs its arguments and copies without the reflink option
        String cp = StandInCommand.write(tmp, "cp", "echo \"$@\" >> " + calls
                + "; for a do shift; [ \"$a\" = --reflink=always ] || set -- \"$@\" \"$a\"; done; exec cp \"$@\"");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConfinedCommand confined = StandInConfinement.write(tmp);
        SystemDiskCopier cloning = new SystemDiskCopier(cp, Duration.ofMinutes(1), new ReflinkProbe(cp, Duration.ofMinutes(1), confined), new CopyMetrics(registry), confined);

        CopyReport report = cloning.copy(container("foo-1", "overlay2", from), container("foo-2", "overlay2", to));

        assertThat(report.method()).isEqualTo(CopyMethod.REFLINK);
        List<String> ran = Files.readAllLines(calls);
        assertThat(ran).hasSize(2);
        assertThat(ran.get(1)).isEqualTo("-a --reflink=always -T -- " + from + " " + to);
        assertThat(Files.readString(to.resolve("f"))).isEqualTo("x");
        assertThat(registry.get(CopyMetrics.METER).tags("kind", "system-disk", "method", "reflink").timer().count()).isEqualTo(1);
    }

    @Test
    void cpIsToldOnlyThePathsInsideTheConfinement() {
        assertThat(SystemDiskCopier.command("cp", CopyMethod.BYTES)).containsExactly("cp", "-a", "-T", "--", "/from", "/to");
        assertThat(SystemDiskCopier.command("cp", CopyMethod.REFLINK)).containsExactly("cp", "-a", "--reflink=always", "-T", "--", "/from", "/to");
    }

    @Test
    void whereNoCopyCanBeConfinedTheSystemDiskIsRefusedBeforeAnything(@TempDir Path dir) throws Exception {
        SystemDiskCopier unconfinable = new SystemDiskCopier("cp", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.refused(dir));

        assertThatThrownBy(() -> unconfinable.requireSupported(container("foo-1", "overlay2", dir)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SYSTEM_DISK_UNSUPPORTED))
                .hasMessageContaining("foo-1").hasMessageContaining("Operation not permitted").hasMessageContaining("nothing was copied");
    }
}
