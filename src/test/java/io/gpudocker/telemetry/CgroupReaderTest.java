package io.gpudocker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupReaderTest {
    private static final String ID = "3f4e8a1c0d9b7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    @TempDir
    Path root;

    private Path write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsCgroupV2UnderTheSystemdDriverWithoutTheInactivePageCache() throws IOException {
        write("cg/system.slice/docker-" + ID + ".scope/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        write("cg/system.slice/docker-" + ID + ".scope/memory.current", "104857600\n");
        write("cg/system.slice/docker-" + ID + ".scope/memory.stat", "anon 52428800\nfile 52428800\ninactive_file 41943040\n");
        CgroupReader reader = new CgroupReader(root.resolve("cg"), root.resolve("proc"));
        assertThat(reader.usage(ID)).isEqualTo(new CgroupReader.Usage(2_500_000_000L, 104857600L - 41943040L));
    }

    @Test
    void readsCgroupV2UnderTheCgroupfsDriver() throws IOException {
        write("cg/docker/" + ID + "/cpu.stat", "usage_usec 7\n");
        write("cg/docker/" + ID + "/memory.current", "4096\n");
        CgroupReader reader = new CgroupReader(root.resolve("cg"), root.resolve("proc"));
        assertThat(reader.usage(ID)).isEqualTo(new CgroupReader.Usage(7000L, 4096L));
    }

    @Test
    void readsCgroupV1WithItsControllersApart() throws IOException {
        write("cg/cpuacct/docker/" + ID + "/cpuacct.usage", "123456789\n");
        write("cg/memory/docker/" + ID + "/memory.usage_in_bytes", "8388608\n");
        write("cg/memory/docker/" + ID + "/memory.stat", "cache 4194304\ntotal_inactive_file 1048576\n");
        CgroupReader reader = new CgroupReader(root.resolve("cg"), root.resolve("proc"));
        assertThat(reader.usage(ID)).isEqualTo(new CgroupReader.Usage(123456789L, 8388608L - 1048576L));
    }

    @Test
    void aContainerWithoutACgroupHasNoFigures() {
        assertThat(new CgroupReader(root, root).usage(ID)).isEqualTo(new CgroupReader.Usage(null, null));
    }

    @Test
    void findsTheContainerOfAProcessAndNoneForAHostProcessOrOneGone() throws IOException {
        write("proc/4711/cgroup", "12:memory:/docker/" + ID + "\n0::/\n");
        write("proc/1/cgroup", "0::/init.scope\n");
        CgroupReader reader = new CgroupReader(root.resolve("cg"), root.resolve("proc"));
        assertThat(reader.containerOf(4711)).contains(ID);
        assertThat(reader.containerOf(1)).isEmpty();
        assertThat(reader.containerOf(99999)).isEmpty();
    }
}
