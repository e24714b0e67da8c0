package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * What the console's browser tests do on a page, beyond {@link Browser}: signing in, confirming,
 * reading the navigation, adding a list's row, replacing a field's value, the axe check with its
 * photograph, clicks and reads that survive a redraw by the event stream, waits for a state, a text
 * or a field's error (polled, with Browser's deadline), a GET made by the page itself (its session
 * cookie, as a link's), and whether the page scrolls sideways at a given window size (a phone's).
 */
final class ConsolePage {
  private static final int PHONE_WIDTH = 360;
  private static final int PHONE_HEIGHT = 780;

  private ConsolePage() {}

  /** Signs in on the sign-in page shown now and waits for the header to name the user. */
  static void signIn(Browser browser, String username, String password) {
    browser.find("form.sign-in input[name=username]").sendKeys(username);
    browser.find("form.sign-in input[name=password]").sendKeys(password, Keys.ENTER);
    browser.until(d -> username.equals(browser.text("#who .user")) ? true : null, "the header to name " + username);
  }

  /** Signs out whoever is signed in now and signs in as username. */
  static void signOutAndIn(Browser browser, String username, String password) {
    browser.click("#sign-out");
    signIn(browser, username, password);
  }

  /** Photographs the page as target/console-{page}.png and asserts axe finds no serious violation. */
  static void checkAndPhotograph(Browser browser, String page) {
    browser.screenshot(page);
    assertThat(browser.seriousAccessibilityViolations()).as("axe on the " + page + " page").isEmpty();
  }

  /** Says yes in the confirmation dialog open now. */
  static void confirm(Browser browser) {
    browser.click("dialog[open] button[data-confirm=ok]");
  }

  /** Clicks what css finds, a button that asks first, and says yes. */
  static void clickAndConfirm(Browser browser, String css) {
    browser.click(css);
    confirm(browser);
  }

  /** The texts of the navigation's links shown to the user signed in. */
  static List<String> navigation(Browser browser) {
    return browser.driver.findElements(By.cssSelector("#nav a")).stream().filter(WebElement::isDisplayed)
        .map(WebElement::getText).toList();
  }

  /** Adds a row to the list fieldset #list-{key} and answers its row. */
  static WebElement addRow(Browser browser, String key) {
    browser.find("#list-" + key + " > button.link").click();
    return browser.driver.findElements(By.cssSelector("#list-" + key + " > .rows > .row")).stream()
        .reduce((first, second) -> second).orElseThrow();
  }

  static WebElement replaceValue(Browser browser, String css, String value) {
    WebElement input = browser.find(css);
    // Selected and typed over while focused, as a person does: WebDriver's clear() blurs the field, and a
    // page's refresh (the service page fills its scale field every 2 s unless it has the focus) could
    // put the old value back before the keys come, which then append to it ("1" + "0").
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), value.isEmpty() ? Keys.DELETE : value);
    return input;
  }

  /** Waits until the element css finds has data-state state (a node's card). */
  static void awaitState(Browser browser, String css, String state, String what) {
    awaitAttribute(browser, css, "state", state, what);
  }

  /** Waits until the environment's page shows status (its data-status). */
  static void awaitStatus(Browser browser, String status, String what) {
    awaitAttribute(browser, "article.environment", "status", status, what);
  }

  /** Waits until the element css finds has data-{key} value. */
  static void awaitAttribute(Browser browser, String css, String key, String value, String what) {
    browser.until(d -> value.equals(data(browser, css, key)) ? true : null, what);
  }

  /** The data-{key} of the element css finds now (null when there is none). */
  static String data(Browser browser, String css, String key) {
    return (String) browser.script("return document.querySelector(arguments[0])?.dataset[arguments[1]]", css, key);
  }

  /** Waits until the element css finds shows text containing part; answers its whole text. */
  static String awaitText(Browser browser, String css, String part, String what) {
    return browser.until(d -> {
      String text = browser.text(css);
      return text != null && text.contains(part) ? text : null;
    }, what);
  }

  /** Waits until the field error css finds says something; answers it. */
  static String awaitError(Browser browser, String css, String what) {
    return browser.until(d -> {
      String text = browser.text(css);
      return text == null || text.isBlank() ? null : text;
    }, what);
  }

  /** GET url from the page, as its links do (the session cookie): status, contentType, disposition and body. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fetch(Browser browser, String url) {
    return (Map<String, Object>) ((JavascriptExecutor) browser.driver).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(async r => done({status: r.status,
            contentType: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
            body: await r.text()}), e => done({status: 0, body: String(e)}));
        """, url);
  }

  /** Asserts the page shown now fits a phone's width (360 x 780) without a sideways scroll; photographed so. */
  static void fitsAPhone(Browser browser, String pageCss, String photo) {
    assertThat(scrollsSideways(browser, PHONE_WIDTH, PHONE_HEIGHT, pageCss, photo)).as("what sticks out at 360 px").isNull();
  }

  /**
   * What makes the page shown now, at width x height, wider than the window (a sideways scroll), or
   * null when nothing does; photographed so, as target/console-{photo}.png.
   */
  static String scrollsSideways(Browser browser, int width, int height, String pageCss, String photo) {
    Dimension before = browser.driver.manage().window().getSize();
    browser.driver.manage().window().setSize(new Dimension(width, height));
    try {
      browser.until(d -> ((Number) browser.script("return window.innerWidth")).intValue() <= width ? true : null,
          "the window to be " + width + " wide");
      browser.until(d -> d.findElements(By.cssSelector(pageCss)).isEmpty() ? null : true, "the page " + pageCss);
      browser.screenshot(photo);
      // Names the outermost element that sticks out on the right, so a failure says what to fix.
      return (String) browser.script("""
          const page = document.documentElement;
          if (page.scrollWidth <= page.clientWidth) return null;
          const wide = [...document.querySelectorAll('body *')]
              .find(e => e.getBoundingClientRect().right > page.clientWidth + 1);
          return wide ? wide.tagName.toLowerCase() + (wide.className ? '.' + wide.className : '') + ': '
              + (wide.textContent || '').slice(0, 80) : 'something';
          """);
    } finally {
      browser.driver.manage().window().setSize(before);
    }
  }
}
