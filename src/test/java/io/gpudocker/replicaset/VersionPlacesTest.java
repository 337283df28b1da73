package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionPlacesTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);

    @Test
    void everyVersionIsWhereTheRecordIsWhenNoneArrivedFromAnotherNode() {
        List<ReplicaSetVersion> history = history("create", "patch", "rollback to 1", "restart");
        for (long k = 1; k <= 4; k++) {
            assertThat(VersionPlaces.nodeOf("gpu1", history, k)).isEqualTo("gpu1");
        }
    }

    @Test
    void aMoveLeavesTheVersionsBeforeItOnItsSource() {
        // 1, 2 on gpu1; 3 moved to gpu2; 4 patched there; 5 moved back to gpu1
        List<ReplicaSetVersion> history = history("create", "patch", VersionPlaces.arrivedFrom("gpu1"), "patch", VersionPlaces.arrivedFrom("gpu2"));
        assertThat(VersionPlaces.nodeOf("gpu1", history, 5)).isEqualTo("gpu1");
        assertThat(VersionPlaces.nodeOf("gpu1", history, 4)).isEqualTo("gpu2");
        assertThat(VersionPlaces.nodeOf("gpu1", history, 3)).isEqualTo("gpu2");
        assertThat(VersionPlaces.nodeOf("gpu1", history, 2)).isEqualTo("gpu1");
        assertThat(VersionPlaces.nodeOf("gpu1", history, 1)).isEqualTo("gpu1");
    }

    @Test
    void aRollbackAcrossNodesNamesTheNodeItCameFromAndALocalOneDoesNot() {
        // 1 on a; 2 moved to b; 3 rolled back to 1 on a; 4 rolled back to 2 on b; 5 rolled back to 4 locally on b
        List<ReplicaSetVersion> history = history("create", VersionPlaces.arrivedFrom("a"), VersionPlaces.rolledBackFrom(1, "b"),
                VersionPlaces.rolledBackFrom(2, "a"), "rollback to 4");
        assertThat(List.of(1L, 2L, 3L, 4L, 5L).stream().map(k -> VersionPlaces.nodeOf("b", history, k)).toList())
                .containsExactly("a", "b", "a", "b", "b");
    }

    @Test
    void causesThatOnlyLookLikeAnArrivalDoNotCount() {
        assertThat(VersionPlaces.previousNode("move from node gpu-2")).contains("gpu-2");
        assertThat(VersionPlaces.previousNode("rollback to 12 from node n1")).contains("n1");
        assertThat(VersionPlaces.previousNode("rollback to 3")).isEmpty();
        assertThat(VersionPlaces.previousNode("patch")).isEmpty();
        assertThat(VersionPlaces.previousNode("remove from node x")).isEmpty();
        assertThat(VersionPlaces.previousNode(null)).isEmpty();
    }

    @Test
    void aRecordFromBeforeNodesHasNoPlace() {
        assertThat(VersionPlaces.nodeOf(null, history("create", VersionPlaces.arrivedFrom("a")), 1)).isNull();
    }

    /** Versions 1..n with these causes, out of order as a range read never returns them but a list may. */
    private static List<ReplicaSetVersion> history(String... causes) {
        List<ReplicaSetVersion> out = new ArrayList<>();
        for (int i = causes.length - 1; i >= 0; i--) {
            out.add(new ReplicaSetVersion("foo", i + 1, "foo-" + (i + 1), Instant.EPOCH, causes[i], SPEC, List.of(), Map.of()));
        }
        return out;
    }
}
