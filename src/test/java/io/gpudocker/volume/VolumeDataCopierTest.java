package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ProcessRunner;
import io.gpudocker.common.StandInCommand;
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

        copier.copy(from.toString(), to.toString());

        assertThat(Files.readString(to.resolve(".hidden"))).hasSize(10_000);
        assertThat(copier.bytesInUse(to.toString())).isPositive();
    }

    @Test
    void aFailedCopyIsAPlainFailureNamingBothDirectoriesAndWhatCpSaid(@TempDir Path tmp) throws Exception {
        String cp = StandInCommand.write(tmp, "cp", "echo 'No space left on device' >&2; exit 1");
        VolumeDataCopier copier = new VolumeDataCopier(cp, "du");

        assertThatThrownBy(() -> copier.copy("/data/a", "/data/b"))
                .isInstanceOf(ProcessRunner.Failed.class)
                .isNotInstanceOf(ApiException.class)
                .hasMessageContaining("/data/a").hasMessageContaining("/data/b")
                .hasMessageContaining("exited 1").hasMessageEndingWith("No space left on device");
    }

    @Test
    void aHungCopyIsKilledAndReported(@TempDir Path tmp) throws Exception {
        String cp = StandInCommand.write(tmp, "cp", "sleep 300");
        VolumeDataCopier copier = new VolumeDataCopier(cp, "du", Duration.ofMillis(500));

        assertThatThrownBy(() -> copier.copy("/data/a", "/data/b"))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessageContaining("/data/a").hasMessageContaining("did not finish within 500ms; it was killed");
    }

    @Test
    void aMeasurementThatCannotBeReadIsAVolumePatchFailure(@TempDir Path tmp) throws Exception {
        VolumeDataCopier failing = new VolumeDataCopier("cp", StandInCommand.write(tmp, "du", "echo 'du: cannot read' >&2; exit 1"));
        VolumeDataCopier garbled = new VolumeDataCopier("cp", StandInCommand.write(tmp, "du2", "echo 'lots /data'"));

        assertThatThrownBy(() -> failing.bytesInUse("/data"))
                .isInstanceOf(ApiException.class).hasMessageContaining("/data").hasMessageContaining("du: cannot read")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.VOLUME_PATCH_FAILED));
        assertThatThrownBy(() -> garbled.bytesInUse("/data"))
                .isInstanceOf(ApiException.class).hasMessageContaining("lots /data")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.VOLUME_PATCH_FAILED));
    }
}
