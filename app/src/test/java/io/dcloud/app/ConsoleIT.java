package io.dcloud.app;

import static io.dcloud.app.ConsolePage.awaitAttribute;
import static io.dcloud.app.ConsolePage.awaitStatus;
import static io.dcloud.app.ConsolePage.awaitText;
import static io.dcloud.app.ConsolePage.checkAndPhotograph;
import static io.dcloud.app.ConsolePage.clickAndConfirm;
import static io.dcloud.app.ConsolePage.data;
import static io.dcloud.app.ConsolePage.scrollsSideways;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real Chromium against a real one-node DCloud (Docker, Cassandra, the tiny
 * OS): a data scientist signs in, creates an environment from the form (catalog dropdowns, filled
 * from a template and from an uploaded YAML config; a bad name is refused beside its field; a bad
 * RAM is named live, by a dry run, with a preview) and sees it reach RUNNING without a reload, its
 * usage charts move, uploads and downloads files and its exports, at phone size too, runs a command in
 * its terminal and its logs, finds it in the list by status and name, stops and deletes it, never
 * sees another user's environment (nor the Nodes and Catalog pages: {@link ConsoleAdminIT} has
 * the configurer's), shares it with a group and stops sharing it, hears that the event stream was
 * lost while its node restarts (and that it is live again), and signs out. Each page is checked with
 * axe-core and photographed into target/.
 */
@Tag("docker") @Tag("cassandra")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  private static final String NODE_ID = "console-it-node";
  private static final String PASSWORD = "console-it-password";
  private static final String GROUP = "console-team";

  private static OneNodeDCloud dcloud;
  private static Browser browser;
  private static String base;
  private static Api ada;
  private static String othersEnvironment;
  private static String created;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    // A fixed port: the page must find its gateway again after the node restarts.
    dcloud = OneNodeDCloud.start(NODE_ID, Map.of("dcloud.http.port", OneNodeDCloud.freePort()));
    Api admin = dcloud.api();
    base = admin.uri("").toString();
    ada = TestUsers.create(admin, "ada", PASSWORD, "data-scientist");
    Api bo = TestUsers.create(admin, "bo", PASSWORD, "data-scientist");
    Api.Response group = admin.post("/api/v1/groups", "{\"name\": \"" + GROUP + "\", \"members\": [\"ada\"]}");
    assertThat(group.status()).as(group.body()).isEqualTo(201);
    // bo's own environment, made with bo's own token: ada must never see it.
    Api.Response made = bo.post("/api/v1/environments",
        "{\"env-name\": \"bos-own\", \"os\": \"tiny\", \"resources\": {\"cpu\": \"0.1\", \"ram\": \"64M\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(202);
    othersEnvironment = made.json().path("id").asText();
    assertThat(othersEnvironment).isNotEmpty();
    // ada's dataset, for the form's dataset chooser.
    Api.Response dataset = ada.put("/api/v1/datasets/console/db/sample", "text/csv", "a,b\n1,2\n");
    assertThat(dataset.status()).as(dataset.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(browser, dcloud);
  }

  /** A module that cannot be fetched (a dropped connection, a network change mid-load) must not leave "Loading…". */
  @Test
  @Order(5)
  void aConsoleWhoseScriptsCannotLoadReloadsThenSaysSoAndRecovers() {
    browser.failRequestsTo("*/console/environments.js");
    try {
      browser.open(base + "/");
      // boot.js reloads three times, then explains.
      assertThat(browser.shownText("#load-failed")).contains("could not load its scripts");
    } finally {
      browser.failRequestsTo();
    }
    browser.click("#load-failed button");
    browser.find("form.sign-in input[name=username]");
    assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
  }

  /** A page's own script loads when the page is first shown; one that cannot be fetched says so there. */
  @Test
  @Order(11)
  void aPageWhoseScriptCannotLoadSaysSoWhereThePageWouldBe() {
    browser.failRequestsTo("*/console/jobs.js");
    try {
      browser.click("#nav a[href='#/jobs']");
      assertThat(browser.shownText("#main .error")).contains("jobs.js", "could not be loaded from the gateway");
    } finally {
      browser.failRequestsTo();
    }
    browser.click("#nav a[href='#/environments']");
    browser.find("table.environments");
  }

  @Test
  @Order(10)
  void aDataScientistSignsIn() {
    browser.open(base + "/");
    WebElement username = browser.find("input[name=username]");
    checkAndPhotograph(browser, "sign-in");
    browser.find("input[name=password]").sendKeys("wrong-password");
    username.sendKeys("ada");
    browser.click("form.sign-in button[type=submit]");
    assertThat(browser.shownText("form.sign-in .error")).contains("wrong username or password");

    WebElement password = browser.find("input[name=password]");
    password.clear();
    password.sendKeys(PASSWORD, Keys.ENTER);
    assertThat(browser.shownText("#who .user")).isEqualTo("ada");
    assertThat(browser.shownText("#who .roles")).contains("data-scientist");
    assertThat(browser.shownText("#who .quota")).contains("environments 0/");
    browser.find("table.environments");
    // The platform's pages are not offered to a data scientist (the API refuses them anyway).
    assertThat(ConsolePage.navigation(browser)).containsExactly("Environments", "New environment", "Templates", "Datasets",
        "Volumes", "Services", "Devices", "Models", "Jobs", "Usage");
    browser.until(d -> d.findElement(By.id("stream")).getText().startsWith("Live") ? true : null, "the event stream");
    // The session token is the HttpOnly cookie's alone: no page script can read it.
    assertThat((String) browser.script("return document.cookie")).doesNotContain("dcloud_session");
    assertThat(browser.script("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
  }

  /** Needs the dry run (POST /environments?dryRun=true): the form is checked as it is filled in. */
  @Test
  @Order(15)
  void checksTheFormLiveAndPreviewsItWithoutSubmitting() {
    browser.click("nav a[href='#/new']");
    browser.find("input[name=env-name]").sendKeys("live-check");
    new Select(browser.find("select[name=os]")).selectByValue("tiny");
    WebElement ram = browser.find("input[name=ram]");
    ram.sendKeys("lots");
    String ramError = "#" + ram.getAttribute("id") + "-error";
    assertThat(awaitText(browser, ramError, "is not a size", "the live field error")).contains("lots");
    assertThat(ram.getAttribute("aria-invalid")).isEqualTo("true");
    ram.clear();
    ram.sendKeys("64M");
    // The preview may still be the one checked while the size was wrong: wait for the valid one.
    browser.until(d -> ram.getAttribute("aria-invalid") == null ? true : null, "the RAM field's error to clear");
    assertThat(awaitText(browser, "pre.preview-dockerfile", "FROM ", "the preview's Dockerfile")).isNotBlank();
    assertThat(awaitText(browser, "pre.preview-yaml", "64M", "the preview of the valid form")).contains("live-check");
    assertThat(browser.text("p.preview-placement")).contains(NODE_ID);
    // A volume, a variable (its value masked until shown) and a dataset in a version reach the request.
    browser.click("#list-storage > button");
    browser.find("#list-storage input[name=target]").sendKeys("/data");
    browser.find("#list-storage input[name=size]").sendKeys("1G");
    WebElement kept = browser.find("#list-storage input[name=volume]");
    kept.sendKeys("my-old-data");
    assertThat(awaitText(browser, "#" + kept.getAttribute("id") + "-error", "is not a DCloud volume",
        "the kept volume's field error")).contains("my-old-data");
    kept.clear(); // the next keystrokes check the form again, without it (the preview below is of a valid form)
    browser.click("#list-env > button");
    browser.find("#list-env input[name=env]").sendKeys("GREETING");
    WebElement value = browser.find("#list-env input[name=env-value]");
    value.sendKeys("hello-there");
    assertThat(value.getAttribute("type")).isEqualTo("password");
    browser.click("#list-env input[name=show-value]");
    assertThat(value.getAttribute("type")).isEqualTo("text");
    browser.click("#list-dataset > button");
    new Select(browser.find("#list-dataset select[name=dataset-name]")).selectByValue("console/db/sample");
    browser.until(d -> d.findElements(By.cssSelector("#list-dataset select[name=version] option[value='1']")).isEmpty()
        ? null : true, "the dataset's versions");
    new Select(browser.find("#list-dataset select[name=version]")).selectByValue("1");
    assertThat(awaitText(browser, "pre.preview-yaml", "sample", "the dataset in the request"))
        .contains("/data", "GREETING", "console")
        .as("a dry run never echoes a variable's value").doesNotContain("hello-there");
    browser.script("document.querySelector('section.preview').scrollIntoView()");
    checkAndPhotograph(browser, "new-environment-preview");
    // Nothing was created.
    assertThat(dcloud.api().get("/api/v1/environments?name=live-check").json().path("environments").size()).isZero();
    browser.click("nav a[href='#/environments']");
    browser.find("table.environments");
  }

  @Test
  @Order(20)
  void createsAnEnvironmentFromTheFormAndSeesItRunWithoutAReload() throws Exception {
    browser.click("nav a[href='#/new']");
    WebElement name = browser.find("input[name=env-name]");
    // A template pre-fills the form, with the catalog's libraries chosen.
    new Select(browser.find("select[name=template]")).selectByValue("python-ml");
    browser.until(d -> "python-ml".equals(name.getDomProperty("value")) ? true : null, "the template's values");
    assertThat(new Select(browser.find("select[name=os]")).getFirstSelectedOption().getAttribute("value")).isEqualTo("debian");
    assertThat(new Select(browser.find("select[name=libraries]")).getAllSelectedOptions())
        .extracting(WebElement::getText).contains("numpy", "pandas");
    // So does an uploaded YAML config (the tiny OS: it starts in seconds).
    Path config = Files.createTempFile("console-it", ".yaml");
    Files.writeString(config, """
        env-name: from-yaml
        os: tiny
        languages: [{language-name: shell}]
        resources: {cpu: "0.2", ram: 128M}
        env: {GREETING: from-yaml}
        max-runtime: 8h
        """);
    browser.find("input[name=config-file]").sendKeys(config.toAbsolutePath().toString());
    browser.until(d -> "from-yaml".equals(name.getDomProperty("value")) ? true : null, "the uploaded config's values");
    assertThat(new Select(browser.find("select[name=os]")).getFirstSelectedOption().getAttribute("value")).isEqualTo("tiny");
    assertThat(new Select(browser.find("select[name=language-name]")).getFirstSelectedOption().getAttribute("value"))
        .isEqualTo("shell");
    assertThat(browser.find("input[name=ram]").getDomProperty("value")).isEqualTo("128M");
    assertThat(browser.find("#list-env input[name=env]").getDomProperty("value")).isEqualTo("GREETING");
    assertThat(browser.find("#list-env input[name=env-value]").getAttribute("type")).isEqualTo("password");
    assertThat(browser.find("input[name=max-runtime]").getDomProperty("value")).isEqualTo("8h");

    // Every create the form sends carries an Idempotency-Key, a new one once the form has changed.
    browser.script("window.createKeys = []; const send = window.fetch; window.fetch = (url, options) => {"
        + " if (options && options.method === 'POST' && String(url).endsWith('/environments'))"
        + " window.createKeys.push(options.headers['Idempotency-Key']); return send(url, options); }");
    name.clear();
    name.sendKeys("not a name!");
    browser.click("form.new-environment button[type=submit]");
    // The API's field error, beside the field it names.
    WebElement error = browser.find("#" + name.getAttribute("id") + "-error");
    assertThat(error.getText()).isNotBlank();
    assertThat(name.getAttribute("aria-invalid")).isEqualTo("true");
    checkAndPhotograph(browser, "new-environment");

    name.clear();
    name.sendKeys("console-it");
    browser.find("input[name=ports]").sendKeys("8000");
    browser.find("input[name=command]").sendKeys("[\"sh\", \"-c\", \"echo hello-from-the-logs; exec sleep 100000\"]");
    browser.script("window.notReloaded = true");
    browser.click("form.new-environment button[type=submit]");
    WebElement page = browser.find("article.environment[data-env-id]");
    created = page.getAttribute("data-env-id");
    assertThat(dcloud.api().get("/api/v1/environments/" + created).json().path("spec").path("max-runtime").asText())
        .as("the run limit the uploaded config set").isEqualTo("8h");
    awaitStatus(browser, "RUNNING", "the environment to run");
    assertThat(browser.shownText("article.environment .env-status")).contains("RUNNING");
    assertThat(browser.script("return window.notReloaded === true")).isEqualTo(true);
    assertThat((List<?>) browser.script("return window.createKeys")).hasSize(2).doesNotHaveDuplicates()
        .allSatisfy(key -> assertThat(String.valueOf(key)).matches("[0-9a-f-]{32,36}"));
    // The header's usage follows too.
    awaitText(browser, "#who .quota", "environments 1/", "the header's usage");
    assertThat(browser.driver.findElements(By.cssSelector("article.environment > .actions button"))).extracting(WebElement::getText)
        .containsExactly("Stop", "Restart", "Delete");
    assertThat(browser.shownText("ol.timeline")).contains("RUNNING");
    // Its port where the engine published it, and at the container's own address (what its machine calls).
    assertThat(awaitText(browser, "dl.facts", "(container ", "the port at the container's address"))
        .containsPattern("8000/tcp → 127\\.0\\.0\\.1:\\d+ \\(container \\d+\\.\\d+\\.\\d+\\.\\d+:8000\\)");
    // "Open": where the proxy serves its published port.
    browser.until(d -> d.findElements(By.cssSelector("a.open")).isEmpty() ? null : true, "the environment's url");
    assertThat(browser.find("a.open").getAttribute("href")).contains("/api/v1/environments/" + created + "/proxy/8000/");
    browser.click("button[name=logs]");
    awaitText(browser, "pre.logs", "hello-from-the-logs", "the container's logs");
    checkAndPhotograph(browser, "environment");
    browser.click("input[name=timestamps]");
    browser.click("button[name=logs]");
    assertThat(awaitText(browser, "pre.logs", "Z hello-from-the-logs", "the logs with the time of each line"))
        .containsPattern("\\d{4}-\\d\\d-\\d\\dT\\S+Z hello-from-the-logs");
  }

  @Test
  @Order(21)
  void itsUsageChartsMoveWhileItRuns() {
    String cpu = "figure[data-chart=cpu]";
    int first = Integer.parseInt(data(browser, cpu, "points"));
    browser.until(d -> Integer.parseInt(data(browser, cpu, "points")) > first ? true : null, "another reading");
    assertThat(browser.text(cpu + " figcaption")).startsWith("CPU: ").contains("%");
    // The text alternative: the latest value, as the caption shows it; the line drawn from the readings.
    assertThat(browser.find(cpu + " svg").getAttribute("aria-label")).startsWith("CPU: ").contains("%");
    assertThat(browser.find(cpu + " svg").findElement(By.tagName("polyline")).getAttribute("points")).contains(",");
    assertThat(browser.text("figure[data-chart=memory] figcaption")).matches("Memory: [0-9.]+ [KMG]iB of .*");
    awaitText(browser, "figure[data-chart=network] figcaption", "/s in", "a network rate");
  }

  @Test
  @Order(22)
  void uploadsAFileAndDownloadsOneAndItsExports() throws Exception {
    byte[] blob = new byte[300_000];
    new java.util.Random(7).nextBytes(blob);
    Path file = Files.createTempFile("console-upload", ".bin");
    Files.write(file, blob);
    browser.find("input[name=upload-file]").sendKeys(file.toAbsolutePath().toString());
    browser.click("button[name=upload]");
    String target = "/home/dcloud/" + file.getFileName();
    assertThat(awaitText(browser, ".upload-state .saved", "Uploaded", "the upload")).contains(blob.length + " bytes", target);
    assertThat(browser.script("const bar = document.querySelector('progress.upload-progress');"
        + " return bar.value === bar.max && bar.max === arguments[0]", blob.length)).isEqualTo(true);
    Api admin = dcloud.api();
    String files = "/api/v1/environments/" + created + "/files?path=";
    assertThat(admin.download(files + target).body()).isEqualTo(blob);

    // A file made through the API comes down its link, as an attachment.
    assertThat(admin.put(files + "/home/dcloud/from-the-api.txt", "made through the API").status()).isEqualTo(201);
    browser.find("input[name=download-path]").sendKeys("/home/dcloud/from-the-api.txt");
    Map<String, Object> downloaded = ConsolePage.fetch(browser, browser.find("a.download").getAttribute("href"));
    assertThat(downloaded).containsEntry("status", 200L).containsEntry("body", "made through the API");
    assertThat((String) downloaded.get("disposition")).contains("attachment", "from-the-api.txt");

    Map<String, Object> manifest = ConsolePage.fetch(browser, browser.find("a.manifest").getAttribute("href"));
    assertThat(manifest).containsEntry("status", 200L);
    assertThat((String) manifest.get("contentType")).contains("yaml");
    assertThat((String) manifest.get("body")).contains("kind: ");
    assertThat((String) ConsolePage.fetch(browser, browser.find("a.dockerfile").getAttribute("href")).get("body"))
        .contains("FROM ");
    checkAndPhotograph(browser, "environment-files");
  }

  @Test
  @Order(23)
  void fitsAPhoneWithoutScrollingSideways() {
    assertThat(scrollsSideways(browser, 360, 740, "article.environment", "environment-phone"))
        .as("what sticks out of the environment's page").isNull();
    browser.click("nav a[href='#/new']");
    assertThat(scrollsSideways(browser, 360, 740, "form.new-environment", "new-environment-phone"))
        .as("what sticks out of the new-environment form").isNull();
    browser.script("location.hash = arguments[0]", "#/environments/" + created);
    browser.find("article.environment[data-env-id='" + created + "']");
  }

  @Test
  @Order(24)
  void sharesItWithAGroupAndStopsSharing() {
    assertThat(browser.text("p.sharing-groups")).isEqualTo("Not shared with any group.");
    browser.click("form.sharing input[name=share-group][value='" + GROUP + "']");
    browser.click("form.sharing button[name=share]");
    assertThat(awaitText(browser, "p.sharing-groups", GROUP, "the saved sharing")).startsWith("Shared read-only");
    assertThat(dcloud.api().get("/api/v1/environments/" + created).json().path("sharedWith").toString())
        .isEqualTo("[\"" + GROUP + "\"]");
    browser.script("document.querySelector('form.sharing').scrollIntoView()");
    checkAndPhotograph(browser, "environment-sharing");
    browser.click("form.sharing button[name=unshare]");
    awaitText(browser, "p.sharing-groups", "Not shared", "the sharing to stop");
    assertThat(dcloud.api().get("/api/v1/environments/" + created).json().path("sharedWith").size()).isZero();
  }

  @Test
  @Order(30)
  void runsACommandInTheTerminal() {
    WebElement shell = browser.find("input[name=shell]");
    shell.clear();
    // The tiny OS is busybox: sh, not bash.
    shell.sendKeys("sh");
    browser.click("button[name=open-terminal]");
    browser.until(d -> d.findElement(By.cssSelector(".terminal-state")).getText().startsWith("Connected") ? true : null,
        "the terminal to connect");
    WebElement terminal = browser.find("pre.terminal");
    terminal.sendKeys("echo console-$((6 * 7))", Keys.ENTER);
    awaitText(browser, "pre.terminal", "console-42", "the command's output");
    browser.screenshot("terminal");
    terminal.sendKeys("exit 3", Keys.ENTER);
    awaitAttribute(browser, ".terminal-state", "exitCode", "3", "the shell's exit code");
  }

  @Test
  @Order(40)
  void theListShowsItsStatusAsTextAndFilters() {
    browser.click("nav a[href='#/environments']");
    String row = "tr[data-env-id='" + created + "']";
    assertThat(browser.shownText(row)).contains("console-it", "RUNNING");
    assertThat(browser.find(row).getAttribute("data-status")).isEqualTo("RUNNING");
    WebElement name = browser.find("input[name=name-filter]");
    name.sendKeys("no-such-name");
    assertThat(browser.shownText("p.empty")).contains("No environment matches");
    assertThat(browser.driver.findElements(By.cssSelector(row))).isEmpty();
    name.clear();
    name.sendKeys("console");
    Select status = new Select(browser.find("select[name=status-filter]"));
    status.selectByValue("STOPPED");
    assertThat(browser.driver.findElements(By.cssSelector(row))).isEmpty();
    status.selectByValue("RUNNING");
    browser.find(row + " a").click();
  }

  /**
   * Its container killed behind DCloud's back, as a machine's reboot kills it: the page says the
   * restart its policy makes and when, live (the list says why it failed), and the environment runs again.
   */
  @Test
  @Order(45)
  void saysWhenItsRestartPolicyStartsItAgainAfterItsContainerWasKilled() {
    awaitStatus(browser, "RUNNING", "the environment's page");
    String container = dcloud.api().get("/api/v1/environments/" + created).json().path("containerId").asText();
    Docker.run("kill", container);
    awaitStatus(browser, "FAILED", "the killed container to be reported");
    assertThat(browser.shownText("dl.facts")).contains("exited with code 137; restart 1 in 10s", "Next restart");
    // The list says why too, while the restart waits its 10 s.
    browser.click("nav a[href='#/environments']");
    String row = "tr[data-env-id='" + created + "']";
    assertThat(browser.shownText(row)).contains("FAILED", "exited with code 137; restart 1 in 10s");
    browser.find(row + " a").click();
    awaitStatus(browser, "RUNNING", "its restart");
    assertThat(browser.shownText("dl.facts")).contains("Restarts").doesNotContain("Next restart");
  }

  @Test
  @Order(50)
  void restartsStopsAndDeletesItAfterConfirming() {
    clickAndConfirm(browser, "button[name=restart]");
    awaitText(browser, "article.environment .env-message", "restart requested", "the restart's answer");
    awaitStatus(browser, "RUNNING", "the environment to run again");
    assertThat(browser.shownText("ol.timeline")).as("stopped in between, then started by DCloud")
        .contains("restart requested by", "stopped to restart");
    // A resize: a size the config's rules refuse is named beside its field; a good one changes it as it runs.
    WebElement ram = browser.find("input[name=resize-ram]");
    ram.clear();
    ram.sendKeys("lots");
    clickAndConfirm(browser, "button[name=resize]");
    browser.until(d -> "true".equals(ram.getAttribute("aria-invalid")) ? true : null, "the RAM's field error");
    ram.clear();
    ram.sendKeys("96M");
    clickAndConfirm(browser, "button[name=resize]");
    awaitText(browser, "form.resize [role=status]", "it runs with them now", "its node's word on the new limits");
    awaitStatus(browser, "RUNNING", "the environment to run with its new RAM");
    assertThat(browser.shownText("dl.facts")).contains("96M RAM");
    assertThat(browser.shownText("ol.timeline")).as("changed as it ran, not restarted")
        .contains("as it runs by", "its container's limits are now");
    clickAndConfirm(browser, "button[name=stop]");
    awaitStatus(browser, "STOPPED", "the environment to stop");
    clickAndConfirm(browser, "button[name=delete]");
    awaitStatus(browser, "DELETED", "the environment to be deleted");
    browser.click("nav a[href='#/environments']");
    browser.find("table.environments");
    assertThat(browser.driver.findElements(By.cssSelector("[data-env-id='" + created + "']"))).isEmpty();
  }

  /** Ticked in the list, several are stopped and then deleted together, each after one confirmation. */
  @Test
  @Order(55)
  void stopsAndDeletesSeveralAtOnceFromTheList() {
    List<String> ids = List.of("bulk-one", "bulk-two").stream().map(name -> {
      Api.Response made = ada.post("/api/v1/environments",
          "{\"env-name\": \"" + name + "\", \"os\": \"tiny\", \"resources\": {\"cpu\": \"0.1\", \"ram\": \"64M\"}}");
      assertThat(made.status()).as(made.body()).isEqualTo(202);
      return made.json().path("id").asText();
    }).toList();
    browser.click("nav a[href='#/environments']");
    for (String id : ids) {
      browser.click("tr[data-env-id='" + id + "'] input[name=select]");
    }
    assertThat(browser.shownText(".selected-count")).isEqualTo("2 selected");
    checkAndPhotograph(browser, "environments-selected");
    clickAndConfirm(browser, "button[name=bulk-stop]");
    for (String id : ids) {
      awaitAttribute(browser, "tr[data-env-id='" + id + "']", "status", "STOPPED", "both to stop");
    }
    browser.click("input[name=select-all]");
    clickAndConfirm(browser, "button[name=bulk-delete]");
    awaitText(browser, ".bulk-message", "delete requested for 2", "the deletes' answers");
    browser.until(d -> d.findElements(By.cssSelector("tr[data-env-id]")).isEmpty() ? true : null, "both gone from the list");
  }

  @Test
  @Order(60)
  void neverSeesAnotherUsersEnvironment() {
    browser.click("nav a[href='#/environments']");
    browser.find("table.environments");
    checkAndPhotograph(browser, "environments");
    assertThat(browser.driver.findElements(By.cssSelector("[data-env-id='" + othersEnvironment + "']"))).isEmpty();
    assertThat(browser.shownText("p.empty")).isEqualTo("No environments yet.");
    browser.open(base + "/#/environments/" + othersEnvironment);
    assertThat(browser.shownText("main .error")).contains("not found");
  }

  /** The node (and its gateway) stops and comes back on the same port: the page says so, and resumes. */
  @Test
  @Order(70)
  void saysWhenTheEventStreamIsLostAndThatItIsLiveAgain() throws Exception {
    browser.click("nav a[href='#/environments']");
    browser.until(d -> d.findElement(By.id("stream")).getText().startsWith("Live") ? true : null, "a live stream");
    dcloud.stopNode();
    awaitText(browser, "#stream", "reconnecting", "the console to say the stream is lost");
    browser.screenshot("stream-lost");
    dcloud.startNode();
    browser.until(d -> d.findElement(By.id("stream")).getText().startsWith("Live") ? true : null,
        "the console to say the stream is live again");
    assertThat(browser.shownText("#who .user")).isEqualTo("ada");
  }

  /** Her account: her groups (read only), an API token made (shown once, working) and revoked; an environment's secrets. */
  @Test
  @Order(75)
  void makesAnApiTokenOnHerAccountPageRevokesItAndReadsHerSecrets() throws Exception {
    browser.click("#who a.user");
    assertThat(browser.shownText("dd.account-username")).isEqualTo("ada");
    assertThat(browser.shownText("table.groups tr[data-group='" + GROUP + "'] .members")).isEqualTo("ada");
    assertThat(browser.driver.findElements(By.cssSelector("form.new-group"))).as("only admins make groups").isEmpty();

    browser.find("form.new-token input[name=token-expires-in]").sendKeys("forever");
    browser.find("form.new-token input[name=token-name]").sendKeys("console-ci");
    browser.click("form.new-token button[name=create-token]");
    assertThat(ConsolePage.awaitError(browser, "#" + browser.find("form.new-token input[name=token-expires-in]")
        .getAttribute("id") + "-error", "the refused expiry")).isNotBlank();
    browser.find("form.new-token input[name=token-expires-in]").clear();
    browser.click("form.new-token button[name=create-token]");
    String token = browser.shownText("pre.token");
    assertThat(awaitText(browser, "table.tokens tbody", "console-ci", "the new token listed")).contains("console-ci");
    checkAndPhotograph(browser, "account");
    assertThat(withBearer(token, "/api/v1/users/me")).as("the token acts as ada").isEqualTo(200);
    clickAndConfirm(browser, "table.tokens button[name=revoke-token]");
    awaitText(browser, "table.tokens tbody", "No API tokens", "the token revoked");
    browser.until(d -> withBearer(token, "/api/v1/users/me") == 401 ? true : null, "the revoked token refused");

    Api ada = dcloud.api().as("ada", PASSWORD);
    Api.Response made = ada.post("/api/v1/environments", "{\"env-name\": \"with-secrets\", \"os\": \"tiny\","
        + " \"resources\": {\"cpu\": \"0.1\", \"ram\": \"64M\"}, \"secret-env\": {\"DB_PASSWORD\": \"<generated>\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(202);
    String id = made.json().path("id").asText();
    String value = ada.get("/api/v1/environments/" + id + "/secrets").json().path("secrets").path("DB_PASSWORD").asText();
    assertThat(value).hasSize(32);
    browser.script("location.hash = arguments[0]", "#/environments/" + id);
    browser.click("button[name=show-secrets]");
    assertThat(browser.shownText("table.secrets tr[data-secret=DB_PASSWORD] code")).isEqualTo(value);
    checkAndPhotograph(browser, "environment-secrets");
    assertThat(ada.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
  }

  private int withBearer(String token, String path) {
    try {
      return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
          .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Order(80)
  void signsOutAndTheSessionIsOver() {
    browser.click("#sign-out");
    browser.find("form.sign-in input[name=username]");
    assertThat(browser.driver.findElements(By.cssSelector("#who .user"))).isEmpty();
    assertThat(ConsolePage.fetch(browser, "/api/v1/users/me").get("status")).isEqualTo(401L);
  }
}
