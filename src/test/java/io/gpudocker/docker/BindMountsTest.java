package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.common.ManagedLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindMountsTest {
    private static final Path POINT = Path.of("/state/binds/x/c/0");
    private static final HostPathWalk.Walked WALKED = new HostPathWalk.Walked(Path.of("/data/a"), 7, 99, true);
    private static final MountTable TABLE = MountTable.parse(List.of(
            "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "31 26 254:16 /tenants /data rw,relatime - ext4 /dev/vdb rw",
            "41 26 254:16 /tenants/a /state/binds/x/c/0 rw,nosuid,nodev,relatime - ext4 /dev/vdb rw"));

    private final List<String> calls = new ArrayList<>();

    @Test
    void theMountOfTheWalkedDirectoryPasses() {
        assertThat(BindMounts.mismatch(WALKED, POINT, new long[] {7, 99}, TABLE)).isEmpty();
    }

    @Test
    void anotherDirectoryAtTheMountPointIsCaught() {
        assertThat(BindMounts.mismatch(WALKED, POINT, new long[] {7, 2}, TABLE)).hasValueSatisfying(w -> assertThat(w).contains("another directory"));
        assertThat(BindMounts.mismatch(WALKED, POINT, new long[] {8, 99}, TABLE)).isPresent();
    }

    @Test
    void aMountOfAnotherPlaceOrDeviceIsCaughtEvenWithTheSameInode() {
        MountTable root = MountTable.parse(List.of(
                "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "31 26 254:16 /tenants /data rw,relatime - ext4 /dev/vdb rw",
                "41 26 254:0 / /state/binds/x/c/0 rw,nosuid,nodev,relatime - ext4 /dev/vda rw"));
        assertThat(BindMounts.mismatch(WALKED, POINT, new long[] {7, 99}, root)).hasValueSatisfying(w -> assertThat(w).contains("254:0"));
    }

    @Test
    void nothingMountedOrAMountWithoutNosuidNodevIsCaught() {
        assertThat(BindMounts.mismatch(WALKED, Path.of("/state/binds/x/c/1"), new long[] {7, 99}, TABLE)).isPresent();
        MountTable suid = MountTable.parse(List.of(
                "31 26 254:16 /tenants /data rw,relatime - ext4 /dev/vdb rw",
                "41 26 254:16 /tenants/a /state/binds/x/c/0 rw,nodev,relatime - ext4 /dev/vdb rw"));
        assertThat(BindMounts.mismatch(WALKED, POINT, new long[] {7, 99}, suid)).hasValueSatisfying(w -> assertThat(w).contains("nosuid"));
    }

    @Test
    void aManagedContainersHostPathsGoToItsMountPointsAndALabel(@TempDir Path state) {
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, recording());
        mounts.prepare();
        ContainerSpec spec = new ContainerSpec("c-1", "img", List.of(), List.of(), List.of("data-1:/v", "/srv/a:/data", "/srv/b:/more"),
                List.of(), Map.of(), Map.of(ManagedLabels.OWNER, "/owner"));

        ContainerSpec placed = mounts.placed(spec);

        Path dir = mounts.directory().resolve("c-1");
        assertThat(placed.binds()).containsExactly("data-1:/v", dir.resolve("1") + ":/data", dir.resolve("2") + ":/more");
        assertThat(BindMounts.of("c-1", placed.binds(), placed.labels()))
                .containsExactly(new BindMounts.HostBind(1, "/srv/a", "/data"), new BindMounts.HostBind(2, "/srv/b", "/more"));
        assertThat(mounts.directory()).startsWith(state.resolve("binds"));
    }

    @Test
    void anotherProjectsContainerIsLeftAsItIs(@TempDir Path state) {
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, recording());
        ContainerSpec spec = new ContainerSpec("c-1", "img", List.of(), List.of(), List.of("/srv/a:/data"), List.of(), Map.of(), Map.of());

        assertThat(mounts.placed(spec)).isSameAs(spec);
        assertThat(BindMounts.of("c-1", spec.binds(), spec.labels())).isEmpty();
    }

    @Test
    void hostPathsAreRefusedWhereTheServiceCannotMount(@TempDir Path state) {
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, failing());
        mounts.prepare();
        ContainerSpec spec = new ContainerSpec("c-1", "img", List.of(), List.of(), List.of("/srv/a:/data"), List.of(), Map.of(),
                Map.of(ManagedLabels.OWNER, "/owner"));

        assertThatThrownBy(() -> mounts.placed(spec)).isInstanceOf(EngineException.class).hasMessageContaining("host-path binds, which are off");
        assertThatThrownBy(() -> mounts.establish("c-1", List.of(new BindMounts.HostBind(0, "/srv/a", "/data"))))
                .isInstanceOf(EngineException.class).hasMessageContaining("off on this host");
    }

    @Test
    void aPathWithALinkIsNeverMounted(@TempDir Path state, @TempDir Path tenant) throws Exception {
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, recording());
        mounts.prepare();
        Path link = Files.createSymbolicLink(tenant.toRealPath().resolve("x"), Path.of("/"));

        assertThatThrownBy(() -> mounts.establish("c-1", List.of(new BindMounts.HostBind(0, link.toString(), "/data"))))
                .isInstanceOf(EngineException.class).hasMessageContaining("/data").hasMessageContaining("symbolic link")
                .hasMessageNotContaining(link.toString());
        assertThat(calls).noneMatch(c -> c.startsWith("bind"));
    }

    @Test
    void aPathThePolicyNoLongerAllowsIsNeverMounted(@TempDir Path state, @TempDir Path tenant) {
        BindMounts mounts = new BindMounts(state, "/owner", real -> false, recording());
        mounts.prepare();

        assertThatThrownBy(() -> mounts.establish("c-1", List.of(new BindMounts.HostBind(0, tenant.toString(), "/data"))))
                .isInstanceOf(EngineException.class).hasMessageContaining("no longer allowed");
        assertThat(calls).noneMatch(c -> c.startsWith("bind"));
    }

    @Test
    void aMountThatDoesNotShowTheCheckedDirectoryIsRefused(@TempDir Path state, @TempDir Path tenant) throws Exception {
        // the mounter here mounts nothing: the check after it finds no mount of the walked directory
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, recording());
        mounts.prepare();

        assertThatThrownBy(() -> mounts.establish("c-1", List.of(new BindMounts.HostBind(0, tenant.toRealPath().toString(), "/data"))))
                .isInstanceOf(EngineException.class).hasMessageContaining("changed while it was mounted");
        assertThat(calls).anyMatch(c -> c.startsWith("bind"));
        mounts.release("c-1");
        assertThat(mounts.directory().resolve("c-1")).doesNotExist();
    }

    @Test
    void theSweepTakesDownWhatBelongsToContainersNoLongerThereOnceSettled(@TempDir Path state) throws Exception {
        BindMounts mounts = new BindMounts(state, "/owner", real -> true, recording());
        mounts.prepare();
        FileTime longAgo = FileTime.from(Instant.now().minusSeconds(600));
        for (String c : List.of("gone-1", "kept-1")) {
            Files.createDirectories(mounts.directory().resolve(c).resolve("0"));
            Files.setLastModifiedTime(mounts.directory().resolve(c), longAgo);
        }
        Files.createDirectories(mounts.directory().resolve("creating-1").resolve("0"));

        mounts.sweep(Set.of("kept-1"));

        assertThat(mounts.directory().resolve("gone-1")).doesNotExist();
        assertThat(mounts.directory().resolve("kept-1")).isDirectory();
        assertThat(mounts.directory().resolve("creating-1")).as("too young: a create may be under way").isDirectory();
    }

    private BindMounts.Mounter recording() {
        return new BindMounts.Mounter() {
            @Override
            public void makePrivate(Path dir) {
                calls.add("private " + dir);
            }

            @Override
            public void bind(Path source, Path mountPoint) {
                calls.add("bind " + source + " " + mountPoint);
            }

            @Override
            public void unmount(Path mountPoint) {
                calls.add("unmount " + mountPoint);
            }
        };
    }

    private static BindMounts.Mounter failing() {
        return new BindMounts.Mounter() {
            @Override
            public void makePrivate(Path dir) {
                throw new EngineException(500, "mount: permission denied", null);
            }

            @Override
            public void bind(Path source, Path mountPoint) {
                throw new AssertionError("never reached");
            }

            @Override
            public void unmount(Path mountPoint) {
                throw new AssertionError("never reached");
            }
        };
    }
}
