package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostPathWalkTest {

    @Test
    void aPathFreeOfLinksIsFoundWithItsDeviceAndInode(@TempDir Path tmp) throws Exception {
        Path root = tmp.toRealPath();
        Path dir = Files.createDirectories(root.resolve("a/b/c"));

        HostPathWalk.Walked walked = HostPathWalk.walk(dir.toString());

        Map<String, Object> attrs = Files.readAttributes(dir, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        assertThat(walked.path()).isEqualTo(dir);
        assertThat(walked.device()).isEqualTo(((Number) attrs.get("dev")).longValue());
        assertThat(walked.inode()).isEqualTo(((Number) attrs.get("ino")).longValue());
        assertThat(walked.directory()).isTrue();
        assertThat(HostPathWalk.walk(dir + "/").path()).as("a trailing slash").isEqualTo(dir);
    }

    @Test
    void aLinkAtAnyPositionIsRefused(@TempDir Path tmp) throws Exception {
        Path root = tmp.toRealPath();
        Files.createDirectories(root.resolve("real/b/c"));
        Files.createSymbolicLink(root.resolve("first"), root.resolve("real"));
        Files.createSymbolicLink(root.resolve("real/middle"), root.resolve("real/b"));
        Files.createSymbolicLink(root.resolve("real/b/last"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("real/b/dangling"), root.resolve("nowhere"));

        for (String path : new String[] {"first/b/c", "real/middle/c", "real/b/last", "real/b/last/etc", "real/b/dangling", "real/b/dangling/x"}) {
            assertThatThrownBy(() -> HostPathWalk.walk(root.resolve(path).toString())).as(path)
                    .isInstanceOf(HostPathWalk.Refused.class).hasMessageContaining("symbolic link");
        }
        assertThat(root.resolve("nowhere")).as("nothing made where a dangling link points").doesNotExist();
    }

    @Test
    void dotsAndEmptyNamesAreRefusedNotResolved(@TempDir Path tmp) throws Exception {
        Path root = tmp.toRealPath();
        Files.createDirectories(root.resolve("a/b"));

        for (String path : new String[] {root + "/a/../a/b", root + "/a/./b", root + "//a/b", root + "/a/b/..", "/", "relative/a"}) {
            assertThatThrownBy(() -> HostPathWalk.walk(path)).as(path).isInstanceOf(HostPathWalk.Refused.class);
        }
    }

    @Test
    void whatIsMissingIsMadeAsDirectories(@TempDir Path tmp) throws Exception {
        Path root = tmp.toRealPath();

        HostPathWalk.Walked walked = HostPathWalk.walk(root + "/new/deeper");

        assertThat(root.resolve("new/deeper")).isDirectory();
        assertThat(walked.directory()).isTrue();
    }

    @Test
    void aRegularFileMayEndThePathButNotLeadThrough(@TempDir Path tmp) throws Exception {
        Path root = tmp.toRealPath();
        Path file = Files.writeString(root.resolve("file"), "x");

        assertThat(HostPathWalk.walk(file.toString()).directory()).isFalse();
        assertThatThrownBy(() -> HostPathWalk.walk(file + "/below")).isInstanceOf(HostPathWalk.Refused.class)
                .hasMessageContaining("neither a directory");
    }

    @Test
    void aDeviceOrPipeIsRefused(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> HostPathWalk.walk("/dev/null")).isInstanceOf(HostPathWalk.Refused.class);
        Path root = tmp.toRealPath();
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThatThrownBy(() -> HostPathWalk.walk(root + "/pipe")).isInstanceOf(HostPathWalk.Refused.class);
    }
}
