package io.gpudocker.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through chromedriver (Debian's chromium and chromium-driver packages), with waits
 * long enough for a loaded two-core machine: every step waits for what it expects to see, never for a fixed time.
 */
final class Browser implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(90);
    /** target/ by default, so a test run changes no tracked file; `make screenshots` points it at docs/console. */
    private static final Path SCREENSHOTS = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));

    final ChromeDriver driver;
    private final String base;

    Browser(String base) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("GDA_CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,900",
                "--force-device-scale-factor=1", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getenv().getOrDefault("GDA_CHROMEDRIVER", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.base = base;
    }

    void open(String hash) {
        driver.get(base + "/" + hash);
        // Seen in full suite runs only: a fresh page whose scripts had not run 90 s later, with no request of it reaching
        // the service, while the pages before and after it were fine. It is loaded once more, and said so, so that the
        // steps after it test the console rather than that page load; what it showed is printed for the cause to be found.
        if (!rendered(Duration.ofSeconds(20))) {
            System.out.println("[browser] " + base + "/" + hash + " showed nothing after 20 s (readyState "
                    + ((JavascriptExecutor) driver).executeScript("return document.readyState + ', scripts ' + document.scripts.length"
                    + " + ', resources ' + performance.getEntriesByType('resource').map(e => e.name.replace(location.origin, '') + ' ' + Math.round(e.duration) + 'ms').join(' ')")
                    + "); loading it again");
            driver.navigate().refresh();
        }
    }

    /** Whether the console has put anything visible on the page within {@code limit}. */
    private boolean rendered(Duration limit) {
        try {
            new WebDriverWait(driver, limit, Duration.ofMillis(200)).until(d -> !d.findElement(By.tagName("body")).getText().isBlank());
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    void go(String hash) {
        ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
    }

    void signIn(String token) {
        open("");
        type(test("token"), token);
        click(test("sign-in"));
        waitFor(test("who"));
    }

    void signOut() {
        click(test("sign-out"));
        waitFor(test("token"));
    }

    static By test(String name) {
        return By.cssSelector("[data-test='" + name + "']");
    }

    static By test(String name, String attribute, String value) {
        return By.cssSelector("[data-test='" + name + "'][" + attribute + "='" + value + "']");
    }

    WebElement waitFor(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void waitGone(By by) {
        until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    /** Waits until the element's text contains {@code text}; returns that text. */
    String waitText(By by, String text) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.stream().map(WebElement::getText).filter(t -> t.contains(text)).findFirst().orElse(null);
        });
    }

    <T> T until(Function<WebDriver, T> condition) {
        // the console re-renders polled tables: an element found a moment ago may have been replaced
        try {
            return new WebDriverWait(driver, PATIENCE, Duration.ofMillis(200)).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            // what the page showed instead: the first thing to look at when a step did not happen
            throw new AssertionError("the console did not get there; it shows: " + driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    /** Clicks {@code inner} within {@code container} once both are there (again, if a re-render replaced them). */
    void clickIn(By container, By inner) {
        until(d -> {
            WebElement e = d.findElement(container).findElement(inner);
            if (!e.isDisplayed() || !e.isEnabled()) {
                return null;
            }
            e.click();
            return true;
        });
    }

    String textOf(By by) {
        return until(d -> d.findElement(by).getText());
    }

    void click(By by) {
        until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    void type(By by, String text) {
        WebElement e = waitFor(by);
        e.clear();
        e.sendKeys(text);
    }

    /** A PNG of the whole window, for the user guide (docs/console/ with `make screenshots`). */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
