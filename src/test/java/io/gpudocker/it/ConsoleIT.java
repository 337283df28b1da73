package io.gpudocker.it;

import static io.gpudocker.it.Browser.test;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The web console in a real browser (headless Chromium) against the service and its real Docker and etcd:
 * what a user does, clicked and typed as a user would. Screenshots of the main screens go to
 * target/console-screenshots/ (docs/console/ with `make screenshots`).
 */
class ConsoleIT extends IntegrationTestBase {
    /** Says hello once, then ticks every second: what the log screen shows and follows. */
    static final String TICKER = "sh -c 'echo hello-from-the-console; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done'";

    private Browser browser;
    private final List<String> tokens = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    @BeforeEach
    void startBrowser() {
        browser = new Browser("http://127.0.0.1:" + port);
    }

    @AfterEach
    void closeBrowserAndCleanUp() {
        browser.close();
        deleteReplicaSets();
        volumes.forEach(v -> assertThat(api.delete("/volumes/" + v).status()).isIn(200, 404));
        tokens.forEach(t -> assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404));
    }

    private String tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        Api.Reply r = api.post("/tokens", Map.of("name", name));
        assertThat(r.status()).as("issue %s: %s", name, r).isEqualTo(200);
        tokens.add(name);
        return r.data().path("token").asString();
    }

    @Test
    void aTenantAddsAnSshKeyAndOpensItsWebAppThroughTheProxy() throws Exception {
        String token = tenant("alice");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("gda-console-key");
        java.nio.file.Path key = dir.resolve("id");
        try {
            assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@laptop", "-f", key.toString()).start().waitFor()).isZero();
            String publicKey = java.nio.file.Files.readString(java.nio.file.Path.of(key + ".pub")).trim();
            Process lf = new ProcessBuilder("ssh-keygen", "-lf", key + ".pub").start();
            String fingerprint = new String(lf.getInputStream().readAllBytes()).split(" ")[1];
            String name = name("app");
            Api.Reply created = api.as(token).post("/replicaSet", createBody(name, 0, List.of("sh", "-c",
                    "mkdir -p /www && echo hello-from-httpd > /www/index.html && httpd -p 8080 -h /www && exec sleep 100000"), List.of("8080")));
            assertThat(created.status()).as(created.toString()).isEqualTo(200);

            browser.signIn(token);
            browser.go("#/keys");
            browser.type(test("key-name"), "laptop");
            browser.type(test("key-text"), publicKey);
            browser.click(test("key-add"));
            assertThat(browser.waitText(test("key-row"), fingerprint)).contains("laptop").contains("ssh-ed25519");
            browser.waitText(test("host-key"), api.get("/whoami").data().path("ssh").path("hostKeyFingerprint").asString());
            browser.screenshot("keys");
            assertThat(api.as(token).get("/keys").data().get(0).path("fingerprint").asString()).isEqualTo(fingerprint);

            // the instance's page: the gateway's command, and its port opened through the proxy in a tab of its own
            browser.go("#/instances");
            browser.clickIn(test("instance-row", "data-name", name), test("instance-link"));
            int sshPort = api.get("/whoami").data().path("ssh").path("port").asInt();
            browser.waitText(test("ssh-gateway"), "ssh -p " + sshPort + " " + name + "@127.0.0.1");
            String console = browser.driver.getWindowHandle();
            browser.clickIn(test("proxy-link"), By.tagName("a"));
            String app = browser.until(d -> d.getWindowHandles().stream().filter(w -> !w.equals(console)).findFirst().orElse(null));
            browser.driver.switchTo().window(app);
            browser.until(d -> d.getCurrentUrl().endsWith("/proxy/" + name + "/8080/") && d.getPageSource().contains("hello-from-httpd") ? true : null);
            browser.driver.close();
            browser.driver.switchTo().window(console);

            // removed on the keys screen: gone from the API too
            browser.go("#/keys");
            browser.clickIn(test("key-row"), test("key-remove"));
            browser.click(test("dialog-confirm"));
            browser.waitGone(test("key-row"));
            assertThat(api.as(token).get("/keys").data()).isEmpty();
        } finally {
            api.as(token).delete("/keys/laptop");
            org.springframework.util.FileSystemUtils.deleteRecursively(dir);
        }
    }

    @Test
    void aUserRunsAnInstanceThroughItsLifeInTheConsole() {
        String token = tenant("alice");
        String vol = "vol" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(vol);
        String name = name("web");

        browser.open("");
        browser.waitFor(test("token"));
        browser.screenshot("login");
        browser.signIn(token);

        // a volume, created and grown on the volumes screen
        browser.go("#/volumes");
        browser.type(test("volume-name"), vol);
        browser.type(test("volume-size"), "10MB");
        browser.click(test("volume-create-submit"));
        By volRow = test("volume-row", "data-name", vol);
        browser.waitText(volRow, "10MB");
        browser.clickIn(volRow, test("resize"));
        browser.type(test("resize-size"), "20MB");
        browser.click(test("dialog-confirm"));
        browser.until(d -> d.findElement(volRow).findElement(test("volume-version")).getText().equals("2"));
        assertThat(browser.waitText(volRow, "20MB")).contains(vol + "-2");
        browser.screenshot("volumes");

        // create an instance with a GPU, an SSH port, a command and the volume
        browser.go("#/instances");
        browser.click(test("new-instance"));
        browser.type(test("create-name"), name);
        browser.type(test("create-image"), IMAGE);
        browser.type(test("create-gpus"), "1");
        browser.type(test("create-ports"), "22, 8888");
        browser.type(test("create-cmd"), TICKER);
        browser.click(test("add-bind"));
        browser.waitText(test("bind-src"), vol);
        new org.openqa.selenium.support.ui.Select(browser.waitFor(test("bind-src"))).selectByValue(vol + "-2");
        browser.type(test("bind-dest"), "/data");
        browser.screenshot("create");
        browser.click(test("create-submit"));

        // its page: running, version 1, the SSH command and the web link of its ports
        browser.waitText(test("state"), "running");
        browser.waitText(test("current-version"), "version 1");
        int sshPort = api.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();
        int webPort = api.get("/replicaSet/" + name).data().path("ports").path("8888/tcp").asInt();
        browser.waitText(test("access"), "ssh -p " + sshPort + " root@127.0.0.1");
        browser.waitText(test("access"), "http://127.0.0.1:" + webPort);
        browser.waitText(test("gpus"), "1 ×");
        browser.screenshot("instance");

        // the table shows it with its port link
        browser.go("#/instances");
        By row = test("instance-row", "data-name", name);
        browser.waitText(row, "ssh -p " + sshPort);
        assertThat(browser.waitText(row, "running")).contains(IMAGE);
        browser.screenshot("instances");

        // two GPUs: version 2
        browser.clickIn(row, test("instance-link"));
        browser.click(test("change-gpus"));
        browser.type(test("gpu-count"), "2");
        browser.click(test("dialog-confirm"));
        browser.waitText(test("current-version"), "version 2");
        browser.waitText(test("gpus"), "2 ×");
        assertThat(gpusOf(name)).hasSize(2);

        // roll back to version 1 from the timeline: version 3, one GPU again
        browser.click(test("tab-versions"));
        browser.waitFor(test("version-item", "data-version", "2"));
        browser.clickIn(test("version-item", "data-version", "1"), test("rollback"));
        browser.click(test("dialog-confirm"));
        browser.waitText(test("current-version"), "version 3");
        browser.waitFor(test("version-item", "data-version", "3"));
        assertThat(browser.waitText(test("version-item", "data-version", "3"), "rollback to 1")).contains("Version 3");
        assertThat(gpusOf(name)).hasSize(1);
        browser.screenshot("versions");

        // logs: the tail, then followed: a tick printed after the stream opened arrives without a reload
        browser.click(test("tab-logs"));
        browser.waitText(test("logs"), "tick-");
        browser.click(test("follow"));
        String first = browser.waitText(test("logs"), "tick-");
        int lastTick = lastTick(first);
        browser.until(d -> lastTick(d.findElement(test("logs")).getText()) >= lastTick + 2);
        browser.screenshot("logs");

        // the terminal: a command and its output, Ctrl-C interrupting a long one, and the size following the window
        browser.click(test("tab-terminal"));
        WebElement keyboard = browser.until(d -> d.findElement(By.cssSelector("[data-test='terminal'] .xterm-helper-textarea")));
        browser.waitText(By.cssSelector(".toolbar .right"), "connected");
        // busybox asks the terminal where its cursor is as it prints the prompt; keys typed before the prompt shows
        // reach the shell ahead of the terminal's answer, which then lands, echoed, in the command's output
        browser.until(d -> terminalLines().stream().reduce((a, b) -> b).filter(l -> l.equals("/ #")).isPresent());
        keyboard.sendKeys("expr 40 + 2 > /data/answer; cat /data/answer" + Keys.ENTER);
        browser.until(d -> terminalLines().contains("42"));
        keyboard.sendKeys("sleep 300" + Keys.ENTER);
        // a Ctrl-C that arrives before the shell has started sleep is the shell's, not sleep's: press it until
        // a prompt follows the sleep (long before its 300 s are up)
        browser.until(d -> {
            keyboard.sendKeys(Keys.chord(Keys.CONTROL, "c"));
            List<String> lines = terminalLines();
            int sleep = lines.lastIndexOf("/ # sleep 300");
            return sleep >= 0 && lines.subList(sleep + 1, lines.size()).stream().anyMatch(l -> l.endsWith("#"));
        });
        keyboard.sendKeys("echo interrupted-$((20+3))" + Keys.ENTER);
        browser.until(d -> terminalLines().contains("interrupted-23"));
        keyboard.sendKeys("stty size" + Keys.ENTER);
        String before = browser.until(d -> terminalLines().stream().filter(l -> l.matches("\\d+ \\d+")).reduce((a, b) -> b).orElse(null));
        browser.screenshot("terminal");
        browser.driver.manage().window().setSize(new Dimension(1100, 700));
        keyboard.sendKeys("clear; stty size" + Keys.ENTER);
        browser.until(d -> terminalLines().stream().anyMatch(l -> l.matches("\\d+ \\d+") && !l.equals(before)));
        browser.driver.manage().window().setSize(new Dimension(1440, 900));
        assertThat(exec(name, "cat /data/answer").trim()).isEqualTo("42");

        // the GPU map shows the instance's GPU as this tenant's
        browser.go("#/resources");
        browser.waitFor(test("gpu", "data-state", "mine"));
        assertThat(browser.driver.findElements(test("gpu", "data-state", "mine"))).hasSize(1);
        browser.screenshot("resources");

        // usage: the instance has a row, the chart (uPlot, served by the service) is drawn
        browser.go("#/usage");
        browser.waitText(test("usage-instances"), name);
        browser.waitFor(By.cssSelector("[data-test='usage-chart'] .uplot canvas"));
        assertThat(browser.driver.findElement(test("usage-totals")).getText()).contains("GPU-hours");
        browser.screenshot("usage");

        // delete, after a confirmation that names what is lost
        browser.go("#/instances/" + name);
        browser.click(test("delete"));
        String losses = browser.waitFor(test("delete-losses")).getText();
        assertThat(losses).contains("system disk").contains(String.valueOf(sshPort)).contains("GPU");
        browser.screenshot("delete");
        browser.click(test("dialog-confirm"));
        browser.waitFor(test("delete-dialog")); // a wrong or missing name is refused in the dialog
        browser.waitText(test("error"), "Type " + name);
        assertThat(api.get("/replicaSet/" + name).status()).isEqualTo(200);
        browser.type(test("delete-confirm-name"), name);
        browser.click(test("dialog-confirm"));
        browser.waitFor(test("new-instance"));
        browser.waitGone(row);
        assertThat(api.get("/replicaSet/" + name).status()).isEqualTo(404);

        // the volume outlived the instance, and goes with its own confirmation
        browser.go("#/volumes");
        browser.clickIn(volRow, test("delete"));
        browser.click(test("dialog-confirm"));
        browser.waitGone(volRow);
        assertThat(api.get("/volumes/" + vol).status()).isEqualTo(404);
    }

    @Test
    void aTenantSeesOnlyItsOwnInstancesAndTheAdminSeesEveryTenant() {
        String alice = tenant("alice");
        String bob = tenant("bob");
        String mine = name("mine");
        String theirs = name("theirs");
        assertThat(api.as(alice).post("/replicaSet", createBody(mine, 0, SLEEP, List.of("22"))).status()).isEqualTo(200);
        assertThat(api.as(bob).post("/replicaSet", createBody(theirs, 0, SLEEP, List.of("22"))).status()).isEqualTo(200);

        // a bad token stays on the login screen, saying why
        browser.open("");
        browser.type(test("token"), "gda_not-a-token");
        browser.click(test("sign-in"));
        browser.waitText(test("error"), "token");

        browser.signIn(alice);
        browser.waitFor(test("instance-row", "data-name", mine));
        assertThat(browser.driver.findElements(test("instance-row", "data-name", theirs))).isEmpty();
        assertThat(browser.driver.findElements(By.cssSelector("[data-nav='tokens']")).get(0).isDisplayed()).isFalse();
        browser.go("#/instances/" + theirs);
        browser.waitText(By.cssSelector(".empty"), "No instance named " + theirs);

        // revoked while signed in: the next call returns to the login screen
        api.delete("/tokens/" + tokens.get(0));
        browser.go("#/instances");
        browser.waitFor(test("token"));

        browser.signIn(ADMIN_TOKEN);
        browser.waitFor(test("instance-row", "data-name", mine));
        browser.waitFor(test("instance-row", "data-name", theirs));
        assertThat(browser.waitText(test("instance-row", "data-name", theirs), tokens.get(1))).contains("running");
        browser.screenshot("admin-instances");
        browser.go("#/tokens");
        browser.waitText(test("tokens"), tokens.get(1));
        browser.screenshot("tokens");
    }

    @Test
    void aTenantSeesABarPerResourceOfItsQuotaAndTheAdminSetsIt() {
        String carol = tenant("carol");
        String name = tokens.get(tokens.size() - 1);
        assertThat(api.put("/tenants/" + name + "/quota", Map.of("gpus", 2, "instances", 3)).status()).isEqualTo(200);
        assertThat(api.as(carol).post("/replicaSet", createBody(name("quota"), 1, SLEEP, List.of())).status()).isEqualTo(200);

        browser.signIn(carol);
        assertThat(browser.driver.findElements(By.cssSelector("[data-nav='tenants']")).get(0).isDisplayed()).isFalse();
        browser.click(By.cssSelector("[data-nav='quota']"));
        browser.waitText(test("quota-line", "data-resource", "gpus"), "1 of 2");
        browser.waitText(test("quota-line", "data-resource", "instances"), "1 of 3");
        browser.waitText(test("quota-line", "data-resource", "volumes"), "no limit");
        browser.screenshot("quota");

        browser.signOut();
        browser.signIn(ADMIN_TOKEN);
        browser.click(By.cssSelector("[data-nav='tenants']"));
        By row = test("tenant-row", "data-tenant", name);
        browser.waitText(row, "1 / 2");
        browser.clickIn(row, test("quota-edit"));
        browser.type(test("quota-gpus"), "4");
        browser.click(test("dialog-confirm"));
        browser.waitText(row, "1 / 4");
        browser.screenshot("tenants");
        assertThat(api.get("/tenants/" + name + "/quota").data().path("resources").get(0).path("limit").asLong()).isEqualTo(4);
    }

    /**
     * The Move action and the nodes screen's Drain on one node: the move's request reaches the service and its refusal
     * (no such node) is shown with its code, nothing moved; the drain cordons the node, shows its progress to done and
     * why the instance stays (no other node), and Uncordon opens the node again. (MoveIT moves between two nodes.)
     */
    @Test
    void theAdminMovesAnInstanceAndDrainsTheNodeFromTheConsole() {
        String name = name("mover");
        assertThat(create(name, 0).status()).isEqualTo(200);
        String node = api.get("/replicaSet/" + name).data().path("node").asString();
        String drainKey = props.etcd().prefix() + "/apis/v1/drains/" + node;
        try {
            browser.signIn(ADMIN_TOKEN);
            browser.go("#/instances/" + name);
            browser.waitText(test("state"), "running");
            browser.waitText(test("node"), node);
            browser.click(test("move"));
            browser.type(test("move-node"), "nosuchnode");
            browser.click(test("dialog-confirm"));
            assertThat(browser.waitText(test("error"), "no node is called 'nosuchnode'")).contains("code 1131");
            JsonNode still = api.get("/replicaSet/" + name).data();
            assertThat(still.path("node").asString()).isEqualTo(node);
            assertThat(still.path("version").asLong()).isEqualTo(1);

            browser.go("#/nodes");
            By row = test("node-row", "data-name", node);
            browser.clickIn(row, test("drain-node"));
            browser.click(test("dialog-confirm"));
            By drain = test("drain", "data-node", node);
            browser.waitText(drain, "done");
            assertThat(browser.waitText(test("drain-item", "data-name", name), "stays")).contains("no other node");
            browser.waitFor(test("drain-item", "data-outcome", "stays"));
            browser.waitText(row, "cordoned");
            browser.screenshot("nodes");
            assertThat(api.get("/nodes").data().get(0).path("cordoned").asBoolean()).isTrue();
            browser.clickIn(row, test("uncordon"));
            browser.until(d -> d.findElement(row).findElements(test("cordoned")).isEmpty() ? true : null);
            assertThat(api.get("/nodes").data().get(0).path("cordoned").asBoolean()).isFalse();
            assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(1);
        } finally {
            api.patch("/nodes/" + node, Map.of("cordoned", false));
            store.commit(new io.gpudocker.store.Txn().delete(drainKey));
        }
    }

    /** The terminal's lines as shown (the DOM renderer keeps them as text). */
    private List<String> terminalLines() {
        return browser.driver.findElements(By.cssSelector("[data-test='terminal'] .xterm-rows > div")).stream()
                .map(e -> e.getText().trim()).filter(s -> !s.isEmpty()).toList();
    }

    private static int lastTick(String text) {
        Matcher m = Pattern.compile("tick-(\\d+)").matcher(text);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }
}
