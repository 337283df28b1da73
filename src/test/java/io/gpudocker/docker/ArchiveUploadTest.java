package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class ArchiveUploadTest {

    @Test
    void theHeaderIsAValidTarHeaderOfTheEntry() throws Exception {
        byte[] header = ArchiveUpload.header(new ArchiveEntry("/data", "résumé.bin", 1000, 1001, 04755, 123456789L));
        assertThat(header).hasSize(512);
        byte[] archive = new byte[512 + 1024];
        System.arraycopy(header, 0, archive, 0, 512);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive), "UTF-8")) {
            TarArchiveEntry e = tar.getNextEntry();
            assertThat(e.isCheckSumOK()).isTrue();
            assertThat(e.getName()).isEqualTo("résumé.bin");
            assertThat(e.isFile()).isTrue();
            assertThat(e.getSize()).isEqualTo(123456789L);
            assertThat(e.getMode()).isEqualTo(04755);
            assertThat(e.getLongUserId()).isEqualTo(1000);
            assertThat(e.getLongGroupId()).isEqualTo(1001);
            assertThat(e.getModTime().getTime()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5000L));
        }
    }

    @Test
    void namesAPlainHeaderCannotHoldAreRefused() {
        assertThatThrownBy(() -> ArchiveUpload.header(new ArchiveEntry("/", "x".repeat(101), 0, 0, 0644, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
