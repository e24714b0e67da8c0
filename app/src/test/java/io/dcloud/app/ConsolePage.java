package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * What the console's browser tests do on a page, beyond {@link Browser}: signing in, confirming,
 * replacing a field's value, the axe check with its photograph, clicks and reads that survive a
 * redraw by the event stream, waits for a state or a text (polled, with Browser's
 * deadline), a GET made by the page itself (its session cookie, as a link's), and whether the
 * page scrolls sideways at a given window size.
 */
final class ConsolePage {
  private ConsolePage() {}

  /** Signs in on the sign-in page shown now and waits for the header to name the user. */
  static void signIn(Browser browser, String username, String password) {
    browser.find("form.sign-in input[name=username]").sendKeys(username);
    browser.find("form.sign-in input[name=password]").sendKeys(password, Keys.ENTER);
    assertThat(browser.find("#who .user").getText()).isEqualTo(username);
  }

  /** Photographs the page as target/console-{page}.png and asserts axe finds no serious violation. */
  static void checkAndPhotograph(Browser browser, String page) {
    browser.screenshot(page);
    assertThat(browser.seriousAccessibilityViolations()).as("axe on the " + page + " page").isEmpty();
  }

  /** Says yes in the confirmation dialog open now. */
  static void confirm(Browser browser) {
    browser.find("dialog[open] button[data-confirm=ok]").click();
  }

  static WebElement replaceValue(Browser browser, String css, String value) {
    WebElement input = browser.find(css);
    input.clear();
    input.sendKeys(value);
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

  /** A request with user's own token (signed in through api), not the admin's; answers its status and body. */
  static Api.Response as(Api api, String user, String password, String method, String path, String contentType,
      String body) throws IOException, InterruptedException {
    String login = "{\"username\": \"" + user + "\", \"password\": \"" + password + "\"}";
    String token = api.post("/api/v1/auth/login", login).json().path("token").asText();
    HttpResponse<String> answer = api.client().send(HttpRequest.newBuilder(api.uri(path))
        .header("Authorization", "Bearer " + token).header("content-type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    return new Api.Response(answer.statusCode(), answer.body(), answer);
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
