package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.docker.EngineInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeSizeSupportTest {
    private static final String ROOT_EXT4 = "/dev/vda / ext4 rw,relatime,discard 0 0";

    private static EngineInfo info(String root) {
        return new EngineInfo("20.10.24", "overlay2", "extfs", root);
    }

    @Test
    void ext4IsNotEnforcedAndSaysWhy() {
        var s = VolumeSizeSupport.detect(info("/var/lib/docker"), List.of(ROOT_EXT4, "proc /proc proc rw 0 0"));
        assertThat(s.enforced()).isFalse();
        assertThat(s.filesystem()).isEqualTo("ext4");
        assertThat(s.mountPoint()).isEqualTo("/");
        assertThat(s.reason()).contains("ext4").contains("prjquota").contains("not enforced");
    }

    @Test
    void xfsWithProjectQuotaUnderTheDataRootIsEnforced() {
        var s = VolumeSizeSupport.detect(info("/data/docker"), List.of(ROOT_EXT4,
                "/dev/nvme1n1 /data xfs rw,relatime,attr2,inode64,logbufs=8,logbsize=32k,prjquota 0 0"));
        assertThat(s.enforced()).isTrue();
        assertThat(s.filesystem()).isEqualTo("xfs");
        assertThat(s.mountPoint()).isEqualTo("/data");
    }

    @Test
    void pquotaSpellingCountsToo() {
        var s = VolumeSizeSupport.detect(info("/var/lib/docker"), List.of(ROOT_EXT4, "/dev/sdb /var/lib/docker xfs rw,pquota 0 0"));
        assertThat(s.enforced()).isTrue();
    }

    @Test
    void xfsWithoutProjectQuotaIsNotEnforced() {
        var s = VolumeSizeSupport.detect(info("/var/lib/docker"), List.of(ROOT_EXT4, "/dev/sdb /var/lib/docker xfs rw,noquota 0 0"));
        assertThat(s.enforced()).isFalse();
        assertThat(s.reason()).contains("without the prjquota option");
    }

    @Test
    void theDeepestMountHoldingTheVolumesDirectoryDecides() {
        var s = VolumeSizeSupport.detect(info("/var/lib/docker"), List.of(
                "/dev/sdb /var/lib/docker xfs rw,prjquota 0 0",
                "/dev/sdc /var/lib/docker/volumes ext4 rw 0 0",
                "/dev/sdd /var/lib/docker2 xfs rw,prjquota 0 0"));
        assertThat(s.enforced()).isFalse();
        assertThat(s.mountPoint()).isEqualTo("/var/lib/docker/volumes");
    }

    @Test
    void escapedMountPointsAreUnderstood() {
        var s = VolumeSizeSupport.detect(info("/srv/my docker"), List.of(ROOT_EXT4, "/dev/sdb /srv/my\\040docker xfs rw,prjquota 0 0"));
        assertThat(s.enforced()).isTrue();
        assertThat(s.mountPoint()).isEqualTo("/srv/my docker");
    }

    @Test
    void noVisibleMountIsNotEnforced() {
        var s = VolumeSizeSupport.detect(info("/var/lib/docker"), List.of());
        assertThat(s.enforced()).isFalse();
        assertThat(s.reason()).contains("/var/lib/docker");
    }
}
