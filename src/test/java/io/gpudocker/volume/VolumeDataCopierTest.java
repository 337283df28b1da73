package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.copy.CopyMethod;
import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.common.ProcessRunner;
import io.gpudocker.copy.ReflinkProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import io.gpudocker.common.StandInCommand;
import io.gpudocker.common.StandInConfinement;
import io.gpudocker.copy.ConfinedCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class VolumeDataCopierTest {

    @Test
    void copiesTheContentsAndMeasuresThem(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));
        Files.writeString(from.resolve(".hidden"), "x".repeat(10_000));
        VolumeDataCopier copier = new VolumeDataCopier("cp", "du");

        CopyReport report = copier.copy(from.toString(), to.toString(), 10_000L);

        assertThat(Files.readString(to.resolve(".hidden"))).hasSize(10_000);
        assertThat(report.kind()).isEqualTo("volume");
        assertThat(report.bytes()).isEqualTo(10_000L);
        assertThat(report.method()).isIn(CopyMethod.BYTES, CopyMethod.REFLINK);
        assertThat(copier.bytesInUse(to.toString())).isPositive();
    }

    @Test
    void aFailedCopyIsAPlainFailureNamingBothDirectoriesAndWhatCpSaid(@TempDir Path tmp) throws Exception {
        String cp = StandInCommand.write(tmp, "cp", "echo 'No space left on device' >&2; exit 1");
        VolumeDataCopier copier = new VolumeDataCopier(cp, "du", VolumeDataCopier.DEFAULT_LIMIT, StandInConfinement.write(tmp));

        assertThatThrownBy(() -> copier.copy("/data/a", "/data/b", null))
                .isInstanceOf(ProcessRunner.Failed.class)
                .isNotInstanceOf(ApiException.class)
                .hasMessageContaining("/data/a").hasMessageContaining("/data/b")
                .hasMessageContaining("exited 1").hasMessageEndingWith("No space left on device");
    }

    @Test
    void aHungCopyIsKilledAndReported(@TempDir Path tmp) throws Exception {
        String cp = StandInCommand.write(tmp, "cp", "sleep 300");
        VolumeDataCopier copier = new VolumeDataCopier(cp, "du", Duration.ofMillis(500), StandInConfinement.write(tmp));

        assertThatThrownBy(() -> copier.copy("/data/a", "/data/b", null))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessageContaining("/data/a").hasMessageContaining("did not finish within 500ms; it was killed");
    }

    @Test
    void aMeasurementThatCannotBeReadIsAVolumePatchFailure(@TempDir Path tmp) throws Exception {
        VolumeDataCopier failing = new VolumeDataCopier("cp", StandInCommand.write(tmp, "du", "echo 'du: cannot read' >&2; exit 1"),
                VolumeDataCopier.DEFAULT_LIMIT, StandInConfinement.write(tmp));
        VolumeDataCopier garbled = new VolumeDataCopier("cp", StandInCommand.write(tmp, "du2", "echo 'lots /data'"),
                VolumeDataCopier.DEFAULT_LIMIT, StandInConfinement.write(tmp));

        assertThatThrownBy(() -> failing.bytesInUse("/data"))
                .isInstanceOf(ApiException.class).hasMessageContaining("/data").hasMessageContaining("du: cannot read")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.VOLUME_PATCH_FAILED));
        assertThatThrownBy(() -> garbled.bytesInUse("/data"))
                .isInstanceOf(ApiException.class).hasMessageContaining("lots /data")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.VOLUME_PATCH_FAILED));
    }

    @Test
    void whereTheFilesystemClonesTheCopyInsistsOnReflinksAndIsTimedAsSuch(@TempDir Path tmp) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("vol-1/_data"));
        Path to = Files.createDirectories(tmp.resolve("vol-2/_data"));
        Files.writeString(from.resolve("f"), "x");
        Path calls = tmp.resolve("calls");
        String cp = StandInCommand.write(tmp, "cp", "echo \"$@\" >> " + calls
                + "; for a do shift; [ \"$a\" = --reflink=always ] || set -- \"$@\" \"$a\"; done; exec cp \"$@\"");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConfinedCommand confined = StandInConfinement.write(tmp);
        VolumeDataCopier copier = new VolumeDataCopier(cp, "du", Duration.ofMinutes(1), new ReflinkProbe(cp, Duration.ofMinutes(1), confined),
                new CopyMetrics(registry), confined);

        CopyReport report = copier.copy(from.toString(), to.toString(), 1L);

        assertThat(report.method()).isEqualTo(CopyMethod.REFLINK);
        List<String> ran = Files.readAllLines(calls);
        assertThat(ran.get(ran.size() - 1)).isEqualTo("-a --sparse=auto --reflink=always -T -- " + from + " " + to);
        assertThat(Files.readString(to.resolve("f"))).isEqualTo("x");
        assertThat(registry.get(CopyMetrics.METER).tags("kind", "volume", "method", "reflink").timer().count()).isEqualTo(1);
    }

    @Test
    void cpAndDuAreToldOnlyThePathsInsideTheConfinement() {
        assertThat(VolumeDataCopier.copyCommand("cp", CopyMethod.BYTES)).containsExactly("cp", "-a", "--sparse=auto", "-T", "--", "/from", "/to");
        assertThat(VolumeDataCopier.copyCommand("cp", CopyMethod.REFLINK))
                .containsExactly("cp", "-a", "--sparse=auto", "--reflink=always", "-T", "--", "/from", "/to");
        assertThat(VolumeDataCopier.measureCommand("du")).containsExactly("du", "-s", "-B1", "-x", "--", "/from");
    }

    @Test
    void whereNoCopyCanBeConfinedTheResizeIsRefusedBeforeAnything(@TempDir Path tmp) throws Exception {
        VolumeDataCopier copier = new VolumeDataCopier("cp", "du", VolumeDataCopier.DEFAULT_LIMIT, StandInConfinement.refused(tmp));

        assertThatThrownBy(() -> copier.requireVisible("v-1", tmp.toString()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_PATCH_FAILED))
                .hasMessageContaining("v-1").hasMessageContaining("Operation not permitted").hasMessageContaining("as root")
                .hasMessageContaining("nothing was copied");
    }
}
