package io.gpudocker.resource.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPoolTest {
    private static final long GB = 1024L * 1024 * 1024;

    @Test
    void sharesNeverAddUpToMoreThanThePool() {
        MemoryPool pool = new MemoryPool(10 * GB);
        pool.reserve("a", 6 * GB);
        assertThatThrownBy(() -> pool.reserve("b", 5 * GB))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEMORY_NOT_ENOUGH))
                .hasMessageContaining("only 4GB is free (pool 10GB");
        assertThat(pool.allocations()).isEqualTo(Map.of("a", 6 * GB));
        assertThat(pool.free()).isEqualTo(4 * GB);
    }

    @Test
    void aHoldersOwnShareCountsAsFreeForItAndComesBackOnRestore() {
        MemoryPool pool = new MemoryPool(10 * GB);
        pool.reserve("a", 6 * GB);
        long had = pool.reserve("a", 10 * GB);
        assertThat(had).isEqualTo(6 * GB);
        assertThat(pool.free()).isZero();
        pool.restore("a", had);
        assertThat(pool.allocations()).isEqualTo(Map.of("a", 6 * GB));
        pool.release("a");
        assertThat(pool.free()).isEqualTo(10 * GB);
    }

    @Test
    void aZeroShareHoldsNothing() {
        MemoryPool pool = new MemoryPool(GB);
        pool.reserve("a", 0);
        pool.load(Map.of("b", 0L));
        assertThat(pool.allocations()).isEmpty();
    }
}
