package io.gpudocker.it;

import static io.gpudocker.it.Browser.test;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The console's metrics in a real browser, the GPU stand-in reporting what the test writes: an instance's metrics tab
 * draws its GPU utilization (pixels of the GPU series' colour on the chart's canvas), shows the idle badge once its own
 * reclaim policy counts it idle, and the GPU map colours the tile of its GPU by utilization.
 */
@TestPropertySource(properties = "gda.telemetry.period=1s")
class ConsoleMetricsIT extends IntegrationTestBase {
    private Browser browser;

    private Path rigDir() {
        return Path.of(props.gpu().nvidiaSmi()).toAbsolutePath().getParent().getParent();
    }

    @BeforeEach
    void startBrowser() {
        browser = new Browser("http://127.0.0.1:" + port);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        browser.close();
        Files.deleteIfExists(rigDir().resolve("gpu-telemetry.csv"));
    }

    @Test
    void theMetricsTabDrawsTheChartsAndShowsTheIdleBadgeAndTheGpuMapItsUtilization() throws IOException {
        String name = name("charts");
        create(name, 1);
        String gpu = gpusOf(name).get(0);
        StringBuilder lines = new StringBuilder();
        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            String uuid = g.path("uuid").asString();
            lines.append(uuid).append(uuid.equals(gpu) ? ", 3, 2048, 81920, 40, 90.00\n" : ", 60, 40000, 81920, 60, 250.00\n");
        }
        Files.writeString(rigDir().resolve("gpu-telemetry.csv"), lines);
        Api.Reply policy = api.put("/replicaSet/" + name + "/reclaim", Map.of("idleBelowPercent", 10, "idleFor", "1h", "grace", "5m", "action", "notify"));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);

        browser.signIn(ADMIN_TOKEN);
        browser.go("#/instances/" + name + "/metrics");
        browser.waitText(test("idle-badge"), "idle since");
        browser.until(d -> Integer.parseInt(d.findElement(test("metrics-chart", "data-series", "utilization")).getDomAttribute("data-points")) >= 3
                ? true : null);
        // uPlot draws on a canvas: count its pixels in the GPU series' stroke colour (#2f6fde), which only data draws
        Long drawn = browser.until(d -> {
            Object n = ((JavascriptExecutor) d).executeScript("""
                    const c = document.querySelector("[data-test='metrics-chart'][data-series='utilization'] canvas");
                    if (!c) return null;
                    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0;
                    for (let i = 0; i < px.length; i += 4) {
                      if (Math.abs(px[i] - 47) < 12 && Math.abs(px[i + 1] - 111) < 12 && Math.abs(px[i + 2] - 222) < 12 && px[i + 3] > 200) n++;
                    }
                    return n > 20 ? n : null;""");
            return (Long) n;
        });
        assertThat(drawn).isGreaterThan(20);
        assertThat(browser.textOf(test("metrics-latest"))).contains("3 %");
        browser.screenshot("instance-metrics");

        browser.go("#/resources");
        By tile = By.cssSelector("[data-test='gpu'][data-util='3']");
        assertThat(browser.waitText(tile, "3 % busy")).contains(name);
        assertThat(browser.driver.findElement(tile).getDomAttribute("style")).contains("linear-gradient");
        assertThat(browser.driver.findElements(By.cssSelector("[data-test='gpu'][data-util='60']"))).hasSize(
                (int) count(api.get("/resources/gpus").data().path("inventory")) - 1);
    }

    private static long count(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).count();
    }

}
