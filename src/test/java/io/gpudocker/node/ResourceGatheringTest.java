package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResourceGatheringTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Map<String, JsonNode> parts(String a, String b) {
        Map<String, JsonNode> m = new TreeMap<>();
        m.put("a", JSON.readTree(a));
        m.put("b", JSON.readTree(b));
        return m;
    }

    @Test
    void gpusAreSummedAndListedWithTheirNode() {
        JsonNode out = ResourceGathering.merge("gpus", parts(
                "{\"total\":8,\"free\":6,\"gpus\":{\"GPU-a0\":1,\"GPU-a1\":0},\"inventory\":[{\"uuid\":\"GPU-a0\",\"held\":true}]}",
                "{\"total\":4,\"free\":4,\"gpus\":{\"GPU-b0\":0},\"inventory\":[{\"uuid\":\"GPU-b0\",\"held\":false}]}"));

        assertThat(out.path("total").asInt()).isEqualTo(12);
        assertThat(out.path("free").asInt()).isEqualTo(10);
        assertThat(out.path("gpus").propertyNames()).containsExactlyInAnyOrder("GPU-a0", "GPU-a1", "GPU-b0");
        assertThat(out.path("inventory").get(0).path("nodeName").asString()).isEqualTo("a");
        assertThat(out.path("inventory").get(1).path("nodeName").asString()).isEqualTo("b");
        assertThat(out.path("inventory").get(1).path("uuid").asString()).isEqualTo("GPU-b0");
    }

    @Test
    void perHostMapsAreKeyedByNodeAndTheOriginalPortViewSpansBothRanges() {
        JsonNode cpus = ResourceGathering.merge("cpus", parts("{\"total\":2,\"free\":1,\"cpus\":{\"0\":1,\"1\":0}}", "{\"total\":2,\"free\":2,\"cpus\":{\"0\":0,\"1\":0}}"));
        assertThat(cpus.path("cpus").path("a/0").asInt()).isEqualTo(1);
        assertThat(cpus.path("cpus").path("b/0").asInt()).isZero();
        assertThat(cpus.path("free").asInt()).isEqualTo(3);

        JsonNode ports = ResourceGathering.merge("ports", parts(
                "{\"range\":\"47000-47199\",\"total\":200,\"free\":199,\"used\":[{\"port\":47000,\"holder\":\"foo\"}],"
                        + "\"ports\":{\"StartPort\":47000,\"EndPort\":47199,\"AvailableCount\":199,\"UsedPortSet\":{\"47000\":{}}}}",
                "{\"range\":\"47200-47399\",\"total\":200,\"free\":200,\"used\":[],"
                        + "\"ports\":{\"StartPort\":47200,\"EndPort\":47399,\"AvailableCount\":200,\"UsedPortSet\":{}}}"));
        assertThat(ports.path("range").asString()).isEqualTo("47000-47199,47200-47399");
        assertThat(ports.path("free").asInt()).isEqualTo(399);
        assertThat(ports.path("used").get(0).path("nodeName").asString()).isEqualTo("a");
        assertThat(ports.path("ports").path("StartPort").asInt()).isEqualTo(47000);
        assertThat(ports.path("ports").path("EndPort").asInt()).isEqualTo(47399);
        assertThat(ports.path("ports").path("AvailableCount").asInt()).isEqualTo(399);
        assertThat(ports.path("ports").path("UsedPortSet").propertyNames()).containsExactly("47000");
    }

    @Test
    void memoryTextsFollowTheSums() {
        JsonNode out = ResourceGathering.merge("memory", parts(
                "{\"total\":1073741824,\"free\":1073741824,\"totalText\":\"1GB\",\"freeText\":\"1GB\",\"held\":[]}",
                "{\"total\":1073741824,\"free\":536870912,\"totalText\":\"1GB\",\"freeText\":\"512MB\",\"held\":[{\"holder\":\"foo\",\"bytes\":536870912}]}"));
        assertThat(out.path("totalText").asString()).isEqualTo("2GB");
        assertThat(out.path("freeText").asString()).isEqualTo("1536MB");
        assertThat(out.path("held").get(0).path("nodeName").asString()).isEqualTo("b");
    }
}
