package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver (both from apt, installed by
 * {@code ./dcloud test}): nothing is downloaded. Screenshots go to {@code target/console-*.png};
 * {@link #seriousAccessibilityViolations} runs the vendored axe-core in the page.
 */
final class Browser implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(60);

  final WebDriver driver;

  private Browser(WebDriver driver) {
    this.driver = driver;
  }

  /** Skips (fails in CI) where Debian's chromium or chromium-driver is missing. */
  static Browser start() {
    Requirements.requireOrSkip(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        () -> "the console's tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: tests may run as root, where Chromium's sandbox refuses to start.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
        "--disable-gpu", "--no-first-run");
    // The page's console, for the message of a wait that gives up (see pageState).
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    return new Browser(new ChromeDriver(service, options));
  }

  void open(String url) {
    driver.get(url);
  }

  /** The browser fails every request whose URL matches one of these patterns ({@code *} any text); none: it fails none. */
  void failRequestsTo(String... patterns) {
    ChromeDriver chrome = (ChromeDriver) driver;
    chrome.executeCdpCommand("Network.enable", Map.of());
    chrome.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of(patterns)));
  }

  WebElement find(String css) {
    return until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "an element " + css);
  }

  <T> T until(ExpectedCondition<T> condition, String what) {
    // A condition that read an element the page redrew meanwhile (the event stream redraws parts of it) is
    // asked again, as one that found nothing yet.
    return new WebDriverWait(driver, WAIT).withMessage(() -> "waited for " + what + " on " + driver.getCurrentUrl()
            + pageState())
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /** What the page showed when a wait gave up: its load state, title, the start of its text, its console. */
  private String pageState() {
    try {
      Object page = script("return document.readyState + ' | ' + document.title + ' | '"
          + " + (document.body ? document.body.innerText.slice(0, 300) : 'no body')");
      List<String> console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(entry -> entry.getLevel() + " " + entry.getMessage()).toList();
      return "\npage: " + page + "\nits console: "
          + (console.isEmpty() ? "nothing" : String.join("\n  ", console.subList(Math.max(0, console.size() - 10), console.size())));
    } catch (RuntimeException unreadable) {
      return "\n(the page could not be read: " + unreadable.getMessage() + ")";
    }
  }

  /** Clicks what {@code css} finds; when the page redrew it between the finding and the click, finds it again. */
  void click(String css) {
    until(d -> {
      try {
        find(css).click();
        return true;
      } catch (StaleElementReferenceException redrawn) {
        return null;
      }
    }, "a click on " + css);
  }

  /**
   * The text of what {@code css} finds once it is shown, read in the page: the event stream may redraw
   * the element between its finding and its reading (WebDriver then calls it stale), and the wait asks again.
   */
  String shownText(String css) {
    return until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : text(css);
    }, "the text of " + css);
  }

  /** The text of what {@code css} finds, read in the page: an element found before a redraw may be gone. */
  String text(String css) {
    return (String) script("return document.querySelector(arguments[0])?.innerText", css);
  }

  Object script(String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }

  void screenshot(String name) {
    Path target = Path.of("target", "console-" + name + ".png");
    try {
      Files.createDirectories(target.getParent());
      Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** axe-core's serious and critical findings on the page shown now, one line each. */
  @SuppressWarnings("unchecked")
  List<String> seriousAccessibilityViolations() {
    if (!Boolean.TRUE.equals(script("return typeof window.axe === 'object'"))) {
      script(axeSource());
    }
    Object found = ((JavascriptExecutor) driver).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(result => done(result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))));
        """);
    return (List<String>) found;
  }

  private static String axeSource() {
    try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
      assertThat(in).as("the vendored axe-core").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
