package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Many calls at once: the schedulers never hand one GPU or one port out twice. */
class ConcurrencyIT extends IntegrationTestBase {

    @Test
    void thirtyTwoConcurrentCreatesNeverShareAGpuOrAPort() throws Exception {
        int totalGpus = api.get("/resources/gpus").data().path("free").asInt();
        List<String> names = new ArrayList<>();
        List<Callable<Api.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String name = name("conc" + i + "x");
            int gpus = i % 2;
            names.add(name);
            calls.add(() -> api.post("/replicaSet", createBody(name, gpus, SLEEP, List.of("22"))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<Api.Reply>> replies = pool.invokeAll(calls);
        pool.shutdown();

        Set<String> gpus = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        int withGpu = 0;
        int cardless = 0;
        for (int i = 0; i < 32; i++) {
            Api.Reply r = replies.get(i).get();
            if (r.status() != 200) {
                assertThat(i % 2).as("only GPU requests may fail: %s", r).isEqualTo(1);
                assertThat(r.code()).as(r.toString()).isEqualTo(1013);
                assertThat(containersOf(names.get(i))).isEmpty();
                continue;
            }
            JsonNode data = r.data();
            data.path("gpus").forEach(g -> assertThat(gpus.add(g.asString())).as("GPU %s handed out twice", g).isTrue());
            assertThat(ports.add(data.path("ports").path("22/tcp").asInt())).as("port handed out twice: %s", r).isTrue();
            if (i % 2 == 1) {
                withGpu++;
            } else {
                cardless++;
            }
        }
        assertThat(cardless).isEqualTo(16);
        assertThat(withGpu).isEqualTo(Math.min(16, totalGpus));
        assertThat(gpuHolders().keySet()).containsAll(gpus);
        assertThat(portHolders().keySet()).containsAll(ports);
        for (int i = 1; i < 32; i += 2) {
            Api.Reply detail = api.get("/replicaSet/" + names.get(i));
            if (detail.status() == 200) {
                List<String> held = gpusOf(names.get(i));
                assertThat(visibleDevices(names.get(i))).isEqualTo(String.join(",", held));
            }
        }

        List<Callable<Api.Reply>> deletes = new ArrayList<>();
        names.forEach(n -> deletes.add(() -> api.delete("/replicaSet/" + n)));
        ExecutorService deleters = Executors.newFixedThreadPool(16);
        for (Future<Api.Reply> f : deleters.invokeAll(deletes)) {
            assertThat(f.get().status()).isIn(200, 404);
        }
        deleters.shutdown();
        assertThat(gpuHolders().keySet()).doesNotContainAnyElementsOf(gpus);
    }
}
