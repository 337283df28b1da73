package io.gpudocker.move;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.replicaset.bind.Bind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackBindsTest {

    @Test
    void aVolumeTheCurrentVersionBindsIsCarriedAndBoundWhereVersionKBoundIt() {
        // K bound data-1 at /data; a move made data-2 on the node the instance went to, bound at /data there
        RollbackBinds binds = RollbackBinds.of(List.of(new Bind("data-1", "/data")), List.of(new Bind("data-2", "/data")));
        assertThat(binds.binds()).containsExactly(new Bind("data-2", "/data"));
        assertThat(binds.carried()).containsExactly(new Bind("data-2", "/data"));
        assertThat(binds.kept()).isEmpty();
    }

    @Test
    void versionKsMountPointWinsOverTheCurrentOne() {
        RollbackBinds binds = RollbackBinds.of(List.of(new Bind("data-1", "/old")), List.of(new Bind("data-3", "/new")));
        assertThat(binds.binds()).containsExactly(new Bind("data-3", "/old"));
    }

    @Test
    void aVolumeOnlyVersionKBindsStaysAsKBoundItAndOneOnlyTheCurrentVersionBindsDoesNotGo() {
        RollbackBinds binds = RollbackBinds.of(List.of(new Bind("old-1", "/old"), new Bind("my-data-1", "/data")),
                List.of(new Bind("my-data-2", "/data"), new Bind("scratch-4", "/scratch")));
        assertThat(binds.binds()).containsExactly(new Bind("old-1", "/old"), new Bind("my-data-2", "/data"));
        assertThat(binds.carried()).containsExactly(new Bind("my-data-2", "/data"));
        assertThat(binds.kept()).containsExactly(new Bind("old-1", "/old"));
    }

    @Test
    void aVolumeBoundTwiceIsCarriedOnceAndHostPathsAreKept() {
        RollbackBinds binds = RollbackBinds.of(List.of(new Bind("data-1", "/a"), new Bind("data-1", "/b"), new Bind("/srv/x", "/x")),
                List.of(new Bind("data-2", "/a"), new Bind("/srv/x", "/x")));
        assertThat(binds.binds()).containsExactly(new Bind("data-2", "/a"), new Bind("data-2", "/b"), new Bind("/srv/x", "/x"));
        assertThat(binds.carried()).containsExactly(new Bind("data-2", "/a"));
        assertThat(binds.kept()).containsExactly(new Bind("/srv/x", "/x"));
    }

    @Test
    void aVolumeIsNamedByItsDockerNameLessTheVersion() {
        assertThat(RollbackBinds.volumeOf("my-data-12")).isEqualTo("my-data");
        assertThat(RollbackBinds.volumeOf("plain")).isEqualTo("plain");
    }
}
