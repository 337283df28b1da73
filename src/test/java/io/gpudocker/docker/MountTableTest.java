package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final MountTable TABLE = MountTable.parse(List.of(
            "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "30 26 254:16 / /srv rw,relatime - ext4 /dev/vdb rw",
            "31 26 254:16 /tenants /data rw,relatime - ext4 /dev/vdb rw",
            "40 26 254:0 /tmp/with\\040space /mnt/point\\040one rw,nosuid,nodev,relatime - ext4 /dev/vda rw",
            "41 26 254:16 /tenants/a /var/lib/gpu-docker-api/binds/x/c/0 rw,nosuid,nodev,relatime - ext4 /dev/vdb rw",
            "42 26 254:0 / /var/lib/gpu-docker-api/binds/x/c/0 rw,nosuid,nodev,relatime - ext4 /dev/vda rw"));

    @Test
    void theMountOnTopAtAPointIsTheLastListed() {
        assertThat(TABLE.at(Path.of("/var/lib/gpu-docker-api/binds/x/c/0")).orElseThrow().device()).isEqualTo("254:0");
        assertThat(TABLE.at(Path.of("/var/lib/gpu-docker-api/binds/x/c"))).isEmpty();
    }

    @Test
    void escapedSpacesAreRead() {
        MountTable.Mount m = TABLE.at(Path.of("/mnt/point one")).orElseThrow();
        assertThat(m.root()).isEqualTo("/tmp/with space");
        assertThat(m.options()).contains("nosuid", "nodev");
    }

    @Test
    void aPathIsHeldByTheNearestMountAboveItAndNamedFromItsFilesystemsRoot() {
        assertThat(TABLE.holding(Path.of("/srv/a/b")).mountPoint()).isEqualTo(Path.of("/srv"));
        assertThat(TABLE.rootOf(Path.of("/srv/a/b"))).isEqualTo("/a/b");
        assertThat(TABLE.rootOf(Path.of("/data/a"))).as("below a bind mount").isEqualTo("/tenants/a");
        assertThat(TABLE.rootOf(Path.of("/srvx/a"))).as("a name that merely begins like a mount point").isEqualTo("/srvx/a");
    }

    @Test
    void mountPointsBelowADirectory() {
        assertThat(TABLE.below(Path.of("/var/lib/gpu-docker-api/binds/x"))).containsExactly(Path.of("/var/lib/gpu-docker-api/binds/x/c/0"));
    }
}
