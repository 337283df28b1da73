package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Txn;
import io.gpudocker.usage.UsageInterval;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Usage metering against the real service: a scripted timeline (pauses, a GPU patch, a stop and a restart, a dockerd
 * restart; and in a service process of its own, SIGKILLs between calls and in the middle of one) is metered to within
 * one second per change, with no gap and no overlap between its intervals; the CSV has its header and one line per
 * figure; a tenant sees its own usage only.
 */
class UsageIT extends IntegrationTestBase {
    private static final String PREFIX = System.getenv().getOrDefault("GDA_IT_PREFIX", "/gpu-docker-api-it") + "-usage-crash";
    /** Each change's boundary is taken when its transaction is built, inside the call: its return is within this of it. */
    private static final double PER_CHANGE = 1.0;
    /** The model the rig's GPU stand-in reports. */
    private static final String MODEL = "NVIDIA Stand-in A100-SXM4-80GB";
    private final List<String> tenants = new ArrayList<>();
    private final List<ServiceProcess> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (String t : tenants) {
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
        for (ServiceProcess p : processes) {
            p.kill();
        }
        engine.listByLabels(ManagedLabels.owner(PREFIX)).forEach(c -> engine.remove(c.id()));
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
    }

    @Test
    void aTimelineWithPausesAGpuPatchAStopARestartAndADockerdRestartIsMeteredToTheSecond() throws Exception {
        String job = name("meter");
        Timeline t = new Timeline();
        t.change(2, () -> create(job, 2));
        Thread.sleep(3000);
        t.change(2, () -> ok(api.patch("/replicaSet/" + job + "/pause", null)));
        Thread.sleep(2000);
        t.change(2, () -> ok(api.patch("/replicaSet/" + job + "/continue", null)));
        Thread.sleep(2000);
        t.change(1, () -> ok(api.patch("/replicaSet/" + job, Map.of("gpuPatch", Map.of("gpuCount", 1)))));
        Thread.sleep(2000);
        t.change(0, () -> ok(api.patch("/replicaSet/" + job + "/stop", null)));
        Thread.sleep(2000);
        t.change(1, () -> ok(api.patch("/replicaSet/" + job + "/restart", null)));
        // dockerd goes down under the running instance and comes back: the instance holds its GPU throughout
        restartDocker();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(api.get("/replicaSet/" + job).data().path("containerStatus").asString()).isEqualTo("running"));
        Thread.sleep(1000);
        t.change(0, () -> ok(api.delete("/replicaSet/" + job)));

        JsonNode row = row(api, "admin", "instance", job);
        assertThat(gpuSeconds(row)).as("GPU-seconds of %s", row).isCloseTo(t.gpuSeconds(), within(PER_CHANGE * t.changes()));
        assertThat(row.path("usage").path("instanceSeconds").asDouble()).as("instance-seconds (stopped for about 2 s)")
                .isCloseTo(t.heldSeconds(), within(PER_CHANGE * t.changes()));
        List<UsageInterval> intervals = intervalsOf(props.etcd().prefix(), job);
        assertThat(intervals).as("pause, continue, patch and stop each closed one (the stop opened none), the delete the last")
                .extracting(iv -> iv.held().state()).startsWith("RUNNING", "PAUSED", "RUNNING", "RUNNING")
                .allMatch(s -> s.equals("RUNNING") || s.equals("PAUSED") || s.equals("EXITED"));
        assertContiguousExceptWhileStopped(intervals, 1);
        assertThat(usage(api, "admin", "day").path("total").path("gpuSeconds").path(MODEL).asDouble())
                .as("by day and by instance add up alike")
                .isCloseTo(usage(api, "admin", "instance").path("total").path("gpuSeconds").path(MODEL).asDouble(), within(1e-6));
    }

    @Test
    void sigkillsOfTheServiceBetweenAndDuringCallsLeaveNoGapAndNoDoubleCount() throws Exception {
        Api crash = launch();
        String job = "crashmeter" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        Timeline t = new Timeline();
        t.change(2, () -> ok(crash.post("/replicaSet", createBody(job, 2, SLEEP, List.of()))));
        Thread.sleep(2000);
        t.change(2, () -> ok(crash.patch("/replicaSet/" + job + "/pause", null)));
        Thread.sleep(1000);
        // killed while paused: the instance holds its GPUs while the service is down, and is metered for it
        last().kill();
        Thread.sleep(3000);
        launch();
        t.change(2, () -> ok(crash().patch("/replicaSet/" + job + "/continue", null)));
        Thread.sleep(2000);
        // killed in the middle of a GPU patch: the change and its interval land together, or neither does
        Api during = crash();
        CompletableFuture<Api.Reply> patch = CompletableFuture.supplyAsync(() -> during.patch("/replicaSet/" + job, Map.of("gpuPatch", Map.of("gpuCount", 1))));
        Thread.sleep(400);
        last().kill();
        patch.handle((r, e) -> null).get();
        launch();
        Thread.sleep(1000);
        versionAtDelete = crash().get("/replicaSet/" + job).data().path("version").asLong();
        t.change(0, () -> ok(crash().delete("/replicaSet/" + job)));

        List<UsageInterval> intervals = intervalsOf(PREFIX, job);
        assertContiguousExceptWhileStopped(intervals, 0);
        assertThat(intervals.get(0).start()).isBetween(t.at(0).minusSeconds(60), t.at(0));
        assertThat(intervals.get(intervals.size() - 1).end()).isBetween(t.at(t.changes() - 2), t.at(t.changes() - 1));
        // the patch may have landed (then 1 GPU from its commit on) or not (2 GPUs to the end): the metered figure is
        // the timeline's for whichever happened, its boundary being where the intervals say it was
        double metered = gpuSeconds(row(crash(), "admin", "instance", job));
        double summed = intervals.stream().mapToDouble(iv -> iv.held().gpus().values().stream().mapToInt(Integer::intValue).sum()
                * (iv.end().toEpochMilli() - iv.start().toEpochMilli()) / 1000.0).sum();
        assertThat(metered).isCloseTo(summed, within(1e-3));
        double untilPatch = Duration.between(t.at(0), t.at(t.changes() - 1)).toMillis() / 1000.0;
        assertThat(metered).as("between 1 and 2 GPUs from the patch on, 2 before it").isBetween(untilPatch - t.changes() * PER_CHANGE, 2 * untilPatch + t.changes() * PER_CHANGE);
        UsageInterval patched = intervals.get(intervals.size() - 1);
        int gpusAtEnd = patched.held().gpus().values().stream().mapToInt(Integer::intValue).sum();
        long version = versionAtDelete;
        assertThat(gpusAtEnd).as("the last interval holds what the record held: version %d", version).isEqualTo(version > 1 ? 1 : 2);
        assertThat(intervals).extracting(iv -> iv.held().state()).startsWith("RUNNING", "PAUSED", "RUNNING");
        assertThat(intervals.subList(0, intervals.size() - 1)).as("2 GPUs until the patch, if it landed")
                .allSatisfy(iv -> assertThat(iv.held().gpus()).containsEntry(MODEL, 2));
    }

    @Test
    void theCsvHasItsHeaderAndOneLinePerFigureAndATenantSeesOnlyItsOwnUsage() throws Exception {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        String a = name("ualice");
        String b = name("ubob");
        ok(alice.post("/replicaSet", createBody(a, 1, SLEEP, List.of())));
        ok(bob.post("/replicaSet", createBody(b, 2, SLEEP, List.of())));
        Thread.sleep(1500);

        JsonNode mine = usage(alice, null, "instance");
        assertThat(mine.path("rows")).extracting(r -> r.path("instance").asString()).containsExactly(a);
        assertThat(usage(alice, null, "day").path("rows")).allMatch(r -> r.path("tenant").asString().equals(tenants.get(0)));
        Api.Reply other = alice.get("/usage?tenant=" + tenants.get(1));
        assertThat(other.status()).as(other.toString()).isEqualTo(403);
        assertThat(other.msg()).contains("only its own usage");
        JsonNode all = usage(api, null, "instance");
        assertThat(all.path("rows")).extracting(r -> r.path("instance").asString()).contains(a, b);

        HttpResponse<String> csv = csv(bob, "/usage?by=instance&from=" + LocalDate.now(ZoneOffset.UTC).minusDays(1));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("tenant,day,kind,instance,metric,gpu_model,quantity");
        assertThat(lines.subList(1, lines.size())).isNotEmpty().allSatisfy(l -> {
            String[] f = l.split(",", -1);
            assertThat(f).hasSize(7);
            assertThat(f[0]).isEqualTo(tenants.get(1));
            assertThat(f[3]).isEqualTo(b);
            assertThat(f[4]).isIn("gpu_seconds", "core_seconds", "memory_gib_seconds", "volume_gib_hours", "instance_seconds");
            assertThat(Double.parseDouble(f[6])).isPositive();
        });
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(tenants.get(1) + ",,replicaset," + b + ",gpu_seconds," + MODEL + ","));
        HttpResponse<String> refused = csv(bob, "/usage?from=not-a-day");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("is not a day");
    }

    // ---- the timeline ---------------------------------------------------------------------------------

    private long versionAtDelete;

    /** The changes as the client saw them: when each call returned, and how many GPUs the instance held from then on. */
    private static final class Timeline {
        private final List<Instant> times = new ArrayList<>();
        private final List<Integer> gpus = new ArrayList<>();

        void change(int gpusFromNowOn, Runnable call) {
            call.run();
            times.add(Instant.now());
            gpus.add(gpusFromNowOn);
        }

        Instant at(int i) { return times.get(i); }

        int changes() { return times.size(); }

        double gpuSeconds() {
            double s = 0;
            for (int i = 0; i + 1 < times.size(); i++) {
                s += gpus.get(i) * Duration.between(times.get(i), times.get(i + 1)).toMillis() / 1000.0;
            }
            return s;
        }

        /** Seconds it held anything (not stopped); every change here but the stop leaves it holding. */
        double heldSeconds() {
            double s = 0;
            for (int i = 0; i + 1 < times.size(); i++) {
                s += gpus.get(i) > 0 ? Duration.between(times.get(i), times.get(i + 1)).toMillis() / 1000.0 : 0;
            }
            return s;
        }
    }

    /** Each interval starts where the one before it ended, but where the instance was stopped {@code stops} times. */
    private static void assertContiguousExceptWhileStopped(List<UsageInterval> intervals, int stops) {
        assertThat(intervals).isNotEmpty();
        int gaps = 0;
        for (int i = 1; i < intervals.size(); i++) {
            Instant prevEnd = intervals.get(i - 1).end();
            assertThat(intervals.get(i).start()).as("no overlap: interval %d starts after %d ended", i, i - 1).isAfterOrEqualTo(prevEnd);
            if (intervals.get(i).start().isAfter(prevEnd)) {
                gaps++;
            }
        }
        assertThat(gaps).as("gaps (only while stopped)").isEqualTo(stops);
    }

    private List<UsageInterval> intervalsOf(String prefix, String instance) {
        List<UsageInterval> out = new ArrayList<>();
        for (KeyValue kv : store.list(prefix + "/apis/v1/usage/intervals/")) {
            UsageInterval iv = Json.read(kv.value(), UsageInterval.class);
            if (iv.held().instance().equals(instance)) {
                out.add(iv);
            }
        }
        out.sort(Comparator.comparing(UsageInterval::start));
        return out;
    }

    // ---- calls ------------------------------------------------------------------------------------------

    private static void ok(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static JsonNode usage(Api client, String tenant, String by) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String q = "/usage?by=" + by + "&from=" + today.minusDays(1) + "&to=" + today.plusDays(1) + (tenant == null ? "" : "&tenant=" + tenant);
        Api.Reply r = client.get(q);
        ok(r);
        return r.data();
    }

    private static JsonNode row(Api client, String tenant, String by, String instance) {
        for (JsonNode r : usage(client, tenant, by).path("rows")) {
            if (instance.equals(r.path("instance").asString())) {
                return r;
            }
        }
        throw new AssertionError("no usage row for " + instance);
    }

    private static double gpuSeconds(JsonNode row) {
        return row.path("usage").path("gpuSeconds").properties().stream().mapToDouble(e -> e.getValue().asDouble()).sum();
    }

    private HttpResponse<String> csv(Api client, String path) throws Exception {
        HttpRequest request = client.authorized(HttpRequest.newBuilder(URI.create(client.base() + path))).header("Accept", "text/csv").build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        ok(issued);
        tenants.add(name);
        return api.as(issued.data().path("token").asString());
    }

    private static void restartDocker() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("scripts", "test-env.sh").toString(), "restart-docker").inheritIO();
        pb.environment().putIfAbsent("GDA_TEST_DIR", "/tmp/gda-test");
        assertThat(pb.start().waitFor()).as("scripts/test-env.sh restart-docker").isZero();
    }

    // ---- the service as a process of its own, to be killed ---------------------------------------------

    private Api crashApi;

    private Api launch() throws Exception {
        int httpPort = ServiceProcess.freePort();
        ServiceProcess p = ServiceProcess.start("usage-it", PREFIX, ServiceProcess.rigFlags(httpPort, props, ADMIN_TOKEN));
        processes.add(p);
        crashApi = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        p.awaitUp(() -> crashApi.get("/ping").status() == 200);
        return crashApi;
    }

    private Api crash() {
        return crashApi;
    }

    private ServiceProcess last() {
        return processes.get(processes.size() - 1);
    }
}
