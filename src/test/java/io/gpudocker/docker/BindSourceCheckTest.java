package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import io.gpudocker.common.ManagedLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindSourceCheckTest {
    private static final Map<String, String> OURS = Map.of(ManagedLabels.OWNER, "/gda");

    @Test
    void aBindFreeOfLinksStarts(@TempDir Path tmp) throws Exception {
        Path real = tmp.toRealPath();
        Files.createDirectories(real.resolve("a/x"));
        assertThatCode(() -> BindSourceCheck.require("c", List.of(real.resolve("a/x") + ":/data", real.resolve("missing/new") + ":/new:ro",
                "data-1:/vol"), OURS)).doesNotThrowAnyException();
    }

    @Test
    void aDirectorySwappedForALinkIsRefusedNamingOnlyTheDestination(@TempDir Path tmp) throws Exception {
        Path real = tmp.toRealPath();
        Files.createDirectories(real.resolve("a"));
        Files.createSymbolicLink(real.resolve("a/x"), Path.of("/"));
        assertThatThrownBy(() -> BindSourceCheck.require("c", List.of(real.resolve("a/x") + ":/data"), OURS))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("/data").hasMessageContaining("symbolic link").hasMessageNotContaining(real.toString());
        assertThatThrownBy(() -> BindSourceCheck.require("c", List.of(real.resolve("a/x/etc/new") + ":/data"), OURS))
                .as("a link above a path that does not exist yet").isInstanceOf(EngineException.class);
        assertThat(BindSourceCheck.firstLink(real.resolve("a/x/etc"))).contains(real.resolve("a/x"));
    }

    @Test
    void containersThisServiceDidNotMakeAreNotJudged(@TempDir Path tmp) throws Exception {
        Path link = Files.createSymbolicLink(tmp.toRealPath().resolve("l"), Path.of("/"));
        assertThatCode(() -> BindSourceCheck.require("c", List.of(link + ":/data"), Map.of())).doesNotThrowAnyException();
    }

    @Test
    void capabilitiesAreDroppedUnlessTheOperatorKeepsThem() {
        assertThat(new ContainerHardening(10).applyTo(HostConfig.newHostConfig()).getCapDrop())
                .containsExactly(Capability.MKNOD, Capability.NET_RAW, Capability.SETFCAP);
        assertThat(new ContainerHardening(10, List.of()).applyTo(HostConfig.newHostConfig()).getCapDrop()).isNullOrEmpty();
        assertThat(ContainerHardening.capabilities(List.of("cap_net_raw", " MKNOD ", ""))).containsExactly(Capability.NET_RAW, Capability.MKNOD);
        assertThatThrownBy(() -> ContainerHardening.capabilities(List.of("NET_RAWW"))).hasMessageContaining("'NET_RAWW'");
    }
}
