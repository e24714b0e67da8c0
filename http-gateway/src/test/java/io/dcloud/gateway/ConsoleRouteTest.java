package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's files as the gateway serves them: public (the sign-in page loads before there is a
 * token) yet holding no API data, with the headers that keep other sites' pages and inline scripts
 * out, nothing but the console's own file names, and a first page that stays small.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleRouteTest {
  private static final Pattern STATIC_IMPORT = Pattern.compile("^import [^;]*?from '\\./([^']+)';", Pattern.MULTILINE);
  private static final Pattern LINKED = Pattern.compile("(?:src|href)=\"/console/([^\"]+)\"");
  private static final Pattern LAZY_PAGE = Pattern.compile("= lazy\\('\\./([^']+)', '([A-Za-z]+)'\\);");
  private static final int FIRST_PAGE_BUDGET = 100 * 1024;

  private GatewayTestCluster cluster;
  private Api anonymous;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("ConsoleRouteTest");
    anonymous = new Api(cluster.base);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void theSignInPageLoadsWithoutATokenWithSafeHeadersAndNoInlineScript() {
    Api.Answer page = anonymous.get("/");
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    String policy = page.header("content-security-policy");
    assertThat(policy).contains("script-src 'self'", "frame-ancestors 'none'", "default-src 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.header("x-frame-options")).isEqualTo("DENY");
    assertThat(page.header("x-content-type-options")).isEqualTo("nosniff");
    // Every script is a file of the console's (the policy would refuse an inline one anyway).
    assertThat(page.body()).containsPattern("<script type=\"module\" src=\"/console/app.js\">")
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
        .doesNotContainPattern("\\son[a-z]+=");
  }

  @Test
  void scriptsAndStylesComeWithTheirTypesAndTheSameHeaders() {
    Api.Answer script = anonymous.get("/console/app.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.contentType()).startsWith("text/javascript");
    assertThat(script.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(script.header("content-security-policy")).isEqualTo(ConsoleRoute.CONTENT_SECURITY_POLICY);
    assertThat(anonymous.get("/console/console.css").contentType()).startsWith("text/css");
    assertThat(anonymous.get("/console/js-yaml.mjs").contentType()).startsWith("text/javascript");
  }

  /** Only the console's own files by name: no directories, no climbing out, no classes of the jar. */
  @Test
  void anythingButAConsoleFileIsNotFound() {
    for (String path : new String[] {"/console/no-such-file.js", "/console/..%2Fgateway%2Fopenapi.yaml",
        "/console/%2e%2e/gateway/openapi.yaml", "/console/", "/console/ConsoleRoute.class", "/index.html",
        "/console/app.js/x"}) {
      Api.Answer answer = anonymous.get(path);
      assertThat(answer.status()).as("%s: %s", path, answer.body()).isEqualTo(404);
      assertThat(answer.contentType()).isEqualTo("application/problem+json");
      assertThat(answer.body()).doesNotContain("openapi: ");
    }
    assertThat(anonymous.method("POST", "/").status()).isEqualTo(405);
  }

  /** The console is a client of the API: its files never hold what only a token may read. */
  @Test
  void theApiStillNeedsATokenAndItsUnknownRoutesAreStillTheApis() {
    Api.Answer environments = anonymous.get("/api/v1/environments");
    assertThat(environments.status()).isEqualTo(401);
    Api.Answer unknown = Api.admin(cluster.base).method("POST", "/api/v1/no-such-route");
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
  }

  @Test
  void aSessionCookieLearnsItsCsrfTokenFromUsersMeAndABearerTokenDoesNot() throws Exception {
    Api.Answer signedIn = anonymous.post("/api/v1/auth/login", Api.JSON,
        "{\"username\": \"admin\", \"password\": \"" + GatewayTestCluster.ADMIN_PASSWORD + "\"}");
    String token = signedIn.json().path("token").asText();
    Api.Answer byCookie = anonymous.send(anonymous.request("/api/v1/users/me")
        .header("Cookie", "dcloud_session=" + token).GET().build());
    assertThat(byCookie.status()).isEqualTo(200);
    assertThat(byCookie.header("x-csrf-token")).isEqualTo(signedIn.json().path("csrfToken").asText());
    assertThat(Api.admin(cluster.base).get("/api/v1/users/me").header("x-csrf-token")).isNull();
  }

  /**
   * index.html, what it links, and every module app.js imports statically: the shell and the
   * environments list; every other page loads when first shown.
   */
  @Test
  void theFirstPageIsUnder100KilobytesOfAssets() throws IOException {
    Set<String> seen = new HashSet<>();
    Deque<String> toRead = new ArrayDeque<>();
    String index = resource("index.html");
    long total = index.length();
    Matcher linked = LINKED.matcher(index);
    while (linked.find()) {
      toRead.add(linked.group(1));
    }
    while (!toRead.isEmpty()) {
      String name = toRead.pop();
      if (!seen.add(name)) {
        continue;
      }
      String text = resource(name);
      total += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      Matcher imports = STATIC_IMPORT.matcher(text);
      while (imports.find()) {
        toRead.add(imports.group(1));
      }
    }
    assertThat(seen).contains("app.js", "api.js", "dom.js", "events.js", "environments.js", "console.css", "boot.js")
        .doesNotContain("environment.js", "terminal.js", "nodes.js", "new-environment.js", "services.js", "devices.js",
            "js-yaml.mjs", "account.js", "node-volumes.js");
    assertThat(total).isLessThan(FIRST_PAGE_BUDGET);
  }

  /** Each page app.js loads when first shown is a module of the console's that exports the page's function. */
  @Test
  void everyPageLoadedOnFirstUseExportsItsFunction() throws IOException {
    Matcher pages = LAZY_PAGE.matcher(resource("app.js"));
    int count = 0;
    while (pages.find()) {
      count++;
      assertThat(resource(pages.group(1))).as("%s in %s", pages.group(2), pages.group(1))
          .containsPattern("export (async )?function " + pages.group(2) + "\\(");
    }
    assertThat(count).as("pages app.js loads on first use").isGreaterThanOrEqualTo(20);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleRoute.class.getResourceAsStream("/io/dcloud/console/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
