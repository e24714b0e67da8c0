package io.dcloud.app;

import static io.dcloud.app.ConsolePage.awaitAttribute;
import static io.dcloud.app.ConsolePage.awaitText;
import static io.dcloud.app.ConsolePage.checkAndPhotograph;
import static io.dcloud.app.ConsolePage.clickAndConfirm;
import static io.dcloud.app.ConsolePage.data;
import static io.dcloud.app.ConsolePage.fitsAPhone;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.testing.Requirements;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's services, models, apps and jobs pages in a real Chromium against a real one-node
 * DCloud: a data scientist sees her busybox service (one replica) become ready in the list, opens
 * its page (replicas linking to their environments), scales it from the form (a bad count is
 * refused beside its field), autoscales it (bounds the wrong way round refused beside their field)
 * and turns that off, and deletes it; pushes a scikit-learn model trained here by
 * /usr/bin/python3 through the push form (a config without a runtime is refused by name) and sees
 * it and its versions listed; tries the app from its page and sees the calls counted in the charts;
 * deploys the model, sets its batching and predicts from its service page; submits a job from the
 * form and follows it to its output; and an admin pushes an app from the form. Every page is checked
 * with axe-core, photographed into target/, and shown at phone width without a sideways scroll.
 */
@Tag("docker") @Tag("cassandra")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleServicesIT {
  private static final String NODE_ID = "console-services-it-node";
  private static final String PASSWORD = "console-services-password";
  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;

  private static OneNodeDCloud dcloud;
  private static Browser browser;
  private static String base;
  private static Api ada;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    dcloud = OneNodeDCloud.start(NODE_ID, Map.of());
    Api admin = dcloud.api();
    base = admin.uri("").toString();
    ada = TestUsers.create(admin, "ada", PASSWORD, "data-scientist");
    Api.Response service = ada.post("/api/v1/services", BusyboxWebService.config("web", 1, "hello-from-web").toString());
    assertThat(service.status()).as(service.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(browser, dcloud);
  }

  private static void go(String hash) {
    browser.open(base + "/" + hash);
  }

  @Test
  @Order(10)
  void theServicesListShowsTheServiceReady() {
    go("");
    ConsolePage.signIn(browser, "ada", PASSWORD);
    assertThat(ConsolePage.navigation(browser)).containsExactly("Environments", "New environment", "Templates", "Datasets",
        "Volumes", "Services", "Devices", "Models", "Jobs", "Usage");
    browser.click("#nav a[href='#/services']");
    awaitAttribute(browser, "table.services tr[data-service=web] .ready", "ready", "1", "the replica to be ready");
    String row = browser.text("table.services tr[data-service=web]");
    assertThat(row).contains("web", "app", "version 1", "1/1 ready");
    checkAndPhotograph(browser, "services");
    fitsAPhone(browser, "table.services", "services-phone");
  }

  @Test
  @Order(20)
  void theServicePageShowsItsReplicaAndScalesFromTheForm() {
    browser.click("table.services tr[data-service=web] a");
    awaitAttribute(browser, "article.service", "ready", "1", "the service page with its ready replica");
    assertThat(browser.text("article.service dl.facts")).contains("app", "ada", "1/1 ready", "8000",
        "a new replica added before an old one goes (surge 1)");
    String replica = browser.text("table.replicas tbody tr");
    assertThat(replica).contains(NODE_ID, "RUNNING", "ready", "version 1");
    // An app has no batching; its "try it" is a GET of a path.
    assertThat(browser.driver.findElements(By.cssSelector("form.batching"))).isEmpty();
    assertThat(browser.text("article.service")).doesNotContain("null", "undefined");
    assertThat(browser.find("form.try-it input[name=call-path]").getAttribute("value")).isEqualTo("/");
    checkAndPhotograph(browser, "service");
    fitsAPhone(browser, "article.service", "service-phone");

    WebElement replicas = ConsolePage.replaceValue(browser, "form.scale input[name=replicas]", "0");
    browser.click("form.scale button[name=scale]");
    assertThat(awaitText(browser, "#" + replicas.getAttribute("id") + "-error", "whole number", "the field error"))
        .contains("from 1 to");
    assertThat(replicas.getAttribute("aria-invalid")).isEqualTo("true");
    ConsolePage.replaceValue(browser, "form.scale input[name=replicas]", "2");
    browser.click("form.scale button[name=scale]");
    awaitText(browser, "form.scale .saved", "Saved", "the scale to be saved");
    awaitAttribute(browser, "article.service", "ready", "2", "the second replica to be ready");
    assertThat(browser.driver.findElements(By.cssSelector("table.replicas tbody tr"))).hasSize(2);
    assertThat(browser.text("article.service dl.facts")).contains("2/2 ready");

    // A replica's id leads to its environment's page.
    String id = data(browser, "table.replicas tbody tr", "replica");
    browser.click("table.replicas tbody tr[data-replica='" + id + "'] a");
    awaitAttribute(browser, "article.environment", "envId", id, "the replica's environment page");
    browser.driver.navigate().back();
    browser.find("article.service");
  }

  /** Needs GET /services/{name}/stats and /services/{name}/call/… (the CALLS branch). */
  @Test
  @Order(25)
  void tryItCallsTheAppAndTheChartsCountTheCalls() throws Exception {
    go("#/services/web");
    browser.find("article.service");
    browser.click("form.try-it button[name=try]");
    assertThat(awaitText(browser, "pre.try-answer", "hello-from-web", "the app's answer")).startsWith("200");
    browser.click("form.try-it button[name=try]");
    assertThat(awaitText(browser, "pre.try-answer", "hello-from-web", "the app's second answer")).startsWith("200");
    Api.Response stats = ada.get("/api/v1/services/web/stats");
    assertThat(stats.json().path("count").asLong()).as(stats.body()).isEqualTo(2);
    awaitAttribute(browser, "p.stats-total", "count", "2", "the two calls to be counted");
    assertThat(browser.text("p.stats-total")).contains("2 requests", "latency average");
    // A reading every 2 s since the page opened: by now there may be more than two.
    browser.until(d -> {
      String points = data(browser, "figure[data-chart=p99]", "points");
      return points != null && Integer.parseInt(points) >= 2 ? true : null;
    }, "two readings of the p99 chart");
    assertThat(browser.find("figure[data-chart=p99] svg").getAttribute("aria-label")).contains("Latency p99", "ms");
    assertThat(browser.driver.findElements(By.cssSelector("table.replica-stats tbody tr"))).isNotEmpty();
    checkAndPhotograph(browser, "service-stats");

    // httpd logs nothing by itself: each replica writes a line to its own log (its first process's stdout).
    List<String> replicas = new java.util.ArrayList<>();
    ada.get("/api/v1/services/web").json().path("replicas").forEach(r -> replicas.add(r.path("id").asText()));
    for (String replica : replicas) {
      Api.Response exec = ada.post("/api/v1/environments/" + replica + "/exec",
          "{\"command\": [\"sh\", \"-c\", \"echo logged-by-replica > /proc/1/fd/1\"]}");
      assertThat(exec.json().path("exitCode").asInt()).as(exec.body()).isZero();
    }
    browser.click("button[name=open-logs]");
    browser.click("section[aria-labelledby=service-logs-title] input[name=follow]");
    browser.click("button[name=service-logs]");
    String logs = awaitText(browser, "pre.service-logs", "logged-by-replica", "the replicas' log lines");
    browser.until(d -> replicas.stream().allMatch(replica ->
        browser.text("pre.service-logs").contains(replica.substring(0, 8) + " | logged-by-replica")) ? true : null,
        "a line of each replica, after its short id: " + logs);
  }

  /** Needs PUT /services/{name}: the page's form is the definition of the next version. */
  @Test
  @Order(27)
  void aNewVersionRollsFromTheServicePage() {
    go("#/services/web");
    browser.find("article.service");
    browser.click("article.service button[name=next-version]");
    WebElement environment = browser.find("form.next-version textarea[name=service-environment]");
    String config = environment.getAttribute("value");
    assertThat(config).as("a replica's environment config, without its name").contains("hello-from-web")
        .doesNotContain("env-name");
    assertThat(browser.find("form.next-version input[name=service-name]").getAttribute("value")).isEqualTo("web");
    assertThat(browser.find("form.next-version input[name=service-replicas]").getAttribute("value")).isEqualTo("2");
    checkAndPhotograph(browser, "service-next-version");

    ConsolePage.replaceValue(browser, "form.next-version textarea[name=service-environment]",
        config.replace("hello-from-web", "hello-from-v2"));
    browser.click("form.next-version button[name=roll-service]");

    awaitAttribute(browser, "article.service", "version", "2", "the service's second version");
    browser.until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("table.replicas tbody tr"));
      return rows.size() == 2 && rows.stream().allMatch(row -> row.getText().contains("version 2")
          && "true".equals(row.getAttribute("data-ready"))) ? true : null;
    }, "both replicas replaced by ready ones of version 2");
    browser.click("form.try-it button[name=try]");
    assertThat(awaitText(browser, "pre.try-answer", "hello-from-v2", "the new version's answer")).startsWith("200");

    // A restart: every replica replaced by a new one of the same definition, one at a time.
    List<String> before = browser.driver.findElements(By.cssSelector("table.replicas tbody tr")).stream()
        .map(row -> row.getAttribute("data-replica")).toList();
    clickAndConfirm(browser, "article.service button[name=restart]");
    awaitAttribute(browser, "article.service", "version", "3", "the restart's version");
    browser.until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("table.replicas tbody tr"));
      return rows.size() == 2 && rows.stream().allMatch(row -> row.getText().contains("version 3")
          && "true".equals(row.getAttribute("data-ready")) && !before.contains(row.getAttribute("data-replica"))) ? true : null;
    }, "both replicas replaced by new ready ones");
  }

  /** Needs PUT and DELETE /services/{name}/autoscaling; web has two replicas by now. */
  @Test
  @Order(28)
  void autoscalingIsTurnedOnAndOffFromTheServicePage() {
    go("#/services/web");
    browser.find("section.autoscaling[data-autoscaling=off]");
    assertThat(browser.find("form.autoscaling input[name=upscale-delay]").getAttribute("value")).isEqualTo("30s");
    ConsolePage.replaceValue(browser, "form.autoscaling input[name=min-replicas]", "2");
    WebElement max = ConsolePage.replaceValue(browser, "form.autoscaling input[name=max-replicas]", "1");
    browser.click("form.autoscaling button[name=save-autoscaling]");
    assertThat(ConsolePage.awaitError(browser, "#" + max.getAttribute("id") + "-error", "the max's field error")).isNotBlank();
    assertThat(max.getAttribute("aria-invalid")).isEqualTo("true");

    ConsolePage.replaceValue(browser, "form.autoscaling input[name=min-replicas]", "1");
    ConsolePage.replaceValue(browser, "form.autoscaling input[name=max-replicas]", "2");
    browser.click("form.autoscaling button[name=save-autoscaling]");
    awaitAttribute(browser, "section.autoscaling", "autoscaling", "on", "autoscaling to be on");
    JsonNode autoscaling = ada.get("/api/v1/services/web").json().path("autoscaling");
    assertThat(autoscaling.path("minReplicas").asInt()).as(autoscaling.toString()).isEqualTo(1);
    assertThat(autoscaling.path("maxReplicas").asInt()).as(autoscaling.toString()).isEqualTo(2);
    assertThat(autoscaling.path("downscaleDelay").asText()).isEqualTo("10m");
    assertThat(browser.find("form.scale input[name=replicas]").isEnabled()).isFalse();
    assertThat(browser.find("form.scale button[name=scale]").isEnabled()).isFalse();
    assertThat(browser.text("form.scale .autoscaled")).contains("between 1 and 2 replicas");
    // The load is measured by the service's next look: the page's refresh shows it.
    assertThat(awaitText(browser, ".autoscaling-load", "wants", "the load"))
        // (and from when, once a whole look-back has passed and its down-scale is due)
        .matches("[\\d.]+ calls? in progress → wants [12] replicas?(, from .+)?");
    checkAndPhotograph(browser, "service-autoscaling");

    browser.click("form.autoscaling button[name=autoscaling-off]");
    awaitAttribute(browser, "section.autoscaling", "autoscaling", "off", "autoscaling to be off");
    JsonNode service = ada.get("/api/v1/services/web").json();
    assertThat(service.path("autoscaling").isNull() || service.path("autoscaling").isMissingNode()).as(service.toString())
        .isTrue();
    assertThat(service.path("desiredReplicas").asInt()).as("the replicas stay").isEqualTo(2);
    assertThat(browser.find("form.scale input[name=replicas]").isEnabled()).isTrue();
  }

  @Test
  @Order(30)
  void theServiceIsDeletedFromItsPage() {
    go("#/services/web");
    ConsolePage.clickAndConfirm(browser, "article.service button[name=delete]");
    browser.until(d -> d.getCurrentUrl().endsWith("#/services") ? true : null, "the services list");
    browser.until(d -> d.findElements(By.cssSelector("table.services tr[data-service=web]")).isEmpty() ? true : null,
        "web to leave the list");
    assertThat(dcloud.api().get("/api/v1/services/web").status()).isEqualTo(404);
  }

  /** POST /services from the Services page: a bad environment named beside its field, then one that serves. */
  @Test
  @Order(35)
  void aServiceIsCreatedFromItsDefinitionOnTheServicesPage() {
    go("#/services");
    JsonNode environment = BusyboxWebService.config("web-form", 1, "from-the-form").path("environment");
    browser.find("form.new-service input[name=service-name]").sendKeys("web-form");
    WebElement config = browser.find("form.new-service textarea[name=service-environment]");
    browser.script("arguments[0].value = arguments[1]", config,
        ((ObjectNode) environment.deepCopy()).set("resources", JSON.createObjectNode().put("ram", "lots")).toString());
    browser.click("form.new-service button[name=create-service]");
    assertThat(ConsolePage.awaitError(browser, "#" + config.getAttribute("id") + "-error", "the environment's field error"))
        .isNotBlank();
    assertThat(config.getAttribute("aria-invalid")).isEqualTo("true");
    checkAndPhotograph(browser, "service-new");

    browser.script("arguments[0].value = arguments[1]", config, environment.toString());
    new org.openqa.selenium.support.ui.Select(browser.find("form.new-service select[name=service-spread]"))
        .selectByValue("required");
    browser.click("form.new-service button[name=create-service]");
    awaitAttribute(browser, "article.service", "ready", "1", "the new service's replica to be ready");
    assertThat(browser.text("article.service dl.facts")).contains("app", "ada", "8000", "each replica on a node that runs no other");
    assertThat(ada.get("/api/v1/services/web-form/definition").json().path("spread").asText()).isEqualTo("required");
    assertThat(ada.get("/api/v1/services/web-form/call/").body()).contains("from-the-form");
    assertThat(ada.delete("/api/v1/services/web-form").status()).isEqualTo(202);
  }

  @Test
  @Order(40)
  void aModelIsPushedFromTheFormAndListedWithItsVersions() throws Exception {
    // The README's example model, trained by its own script, pushed with its own contract and config.
    Path example = Path.of(System.getProperty("dcloud.examples"), "models", "iris").toRealPath();
    Path model = trainIris(example);
    Path contract = example.resolve("contract.py");
    Path config = example.resolve("model.yaml");
    Path noRuntime = Files.writeString(work.resolve("no-runtime.json"), "{\"name\": \"iris\"}");
    browser.click("#nav a[href='#/models']");
    browser.find("form.model-push");
    assertThat(browser.text("main")).contains("No models yet.");
    checkAndPhotograph(browser, "models");

    push(model, contract, noRuntime);
    assertThat(awaitText(browser, "form.model-push ul.unplaced", "runtime", "the config's field error"))
        .contains("is required");
    push(model, contract, config);
    assertThat(awaitText(browser, "form.model-push .saved", "iris version 1", "the pushed version")).contains("sha256");
    assertThat(browser.shownText("form.model-push label[for=model-push-progress]")).isEqualTo("Uploaded");
    awaitAttribute(browser, "table.models tr[data-model=iris]", "version", "1", "iris in the list");
    assertThat(awaitText(browser, "section.model-versions", "Versions of iris", "its versions"))
        .contains("version 1", "ada");
    assertThat(browser.text("pre.model-config")).contains("scikit-learn");
    assertThat(dcloud.api().get("/api/v1/models/iris").json().path("versions")).hasSize(1);
    checkAndPhotograph(browser, "models-pushed");
    fitsAPhone(browser, "table.models", "models-phone");
  }

  private static void push(Path model, Path contract, Path config) {
    // A refused push keeps its files chosen: the next one chooses afresh.
    browser.script("document.querySelector('form.model-push').reset()");
    browser.find("form.model-push input[name=model]").sendKeys(model.toAbsolutePath().toString());
    browser.find("form.model-push input[name=contract]").sendKeys(contract.toAbsolutePath().toString());
    browser.find("form.model-push input[name=config]").sendKeys(config.toAbsolutePath().toString());
    browser.click("form.model-push button[name=model-push]");
  }

  /**
   * The example's model, trained by its {@code train.py} in the test's directory (the example's own
   * is left as shipped); the test needs scikit-learn where it runs.
   */
  private static Path trainIris(Path example) throws Exception {
    boolean present = Files.isExecutable(Path.of(PYTHON)) && new ProcessBuilder(PYTHON, "-c", "import sklearn, joblib")
        .redirectErrorStream(true).start().waitFor() == 0;
    Requirements.requireOrSkip(present, () -> PYTHON + " with scikit-learn and joblib is missing: "
        + "apt-get install python3-sklearn python3-joblib");
    Process training = new ProcessBuilder(PYTHON, example.resolve("train.py").toString()).directory(work.toFile())
        .redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as("training the model:\n" + output).isZero();
    assertThat(output).contains("inputs.jsonl: 150 records");
    return work.resolve("iris.joblib");
  }

  /** Needs POST /models/{name}/deploy, PUT …/batching and …/predict (the ROLLOUT and CALLS branches). */
  @Test
  @Order(50)
  void aModelIsDeployedBatchedAndTriedFromItsServicePage() {
    go("#/models");
    browser.click("table.models tr[data-model=iris] button[name=deploy]");
    browser.until(d -> d.getCurrentUrl().endsWith("#/services/iris") ? true : null, "the model's service page");
    browser.find("article.service form.batching");
    assertThat(browser.text("article.service dl.facts")).contains("model");
    ConsolePage.replaceValue(browser, "form.batching input[name=max-size]", "8");
    ConsolePage.replaceValue(browser, "form.batching input[name=max-wait-ms]", "20");
    browser.click("form.batching button[name=save-batching]");
    awaitText(browser, "article.service dl.facts", "up to 8 instances, waiting at most 20 ms", "the batching saved");
    // The python image is built on first use (cached by the Docker Engine for the other ITs).
    awaitAttribute(browser, "article.service", "ready", "1", "the model's replica to be ready");
    // The box starts with the model's input-example (its config's): predicted as it stands.
    browser.until(d -> String.valueOf(browser.script("return document.querySelector(arguments[0]).value",
        "form.try-it textarea[name=instances]")).contains("sepal_length") ? true : null, "the input-example in the box");
    browser.click("form.try-it button[name=try]");
    assertThat(awaitText(browser, "pre.try-answer", "class", "the prediction"))
        .contains("\"class\": 0", "\"species\": \"setosa\"");
    checkAndPhotograph(browser, "model-service");
  }

  /** Needs POST /jobs, GET /jobs/{id} and its output (the JOBS branch), and the deployed iris model. */
  @Test
  @Order(60)
  void aJobIsSubmittedFromTheFormAndFollowedToItsOutput() throws Exception {
    Api.Response input = ada.put("/api/v1/datasets/console/db/iris-input", "application/octet-stream", """
            {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
            {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}
            {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
            """);
    assertThat(input.status()).as(input.body()).isEqualTo(201);
    go("#/jobs");
    WebElement service = browser.find("form.submit-job select[name=service]");
    new org.openqa.selenium.support.ui.Select(service).selectByValue("iris");
    browser.find("form.submit-job input[name=dataset]").sendKeys("console/db/iris-input");
    WebElement batchSize = ConsolePage.replaceValue(browser, "form.submit-job input[name=batch-size]", "0");
    browser.click("form.submit-job button[name=submit-job]");
    awaitText(browser, "#" + batchSize.getAttribute("id") + "-error", "1", "the batch size's field error");
    checkAndPhotograph(browser, "jobs");
    ConsolePage.replaceValue(browser, "form.submit-job input[name=batch-size]", "2");
    browser.click("form.submit-job button[name=submit-job]");
    awaitAttribute(browser, "article.job", "status", "SUCCEEDED", "the job to succeed");
    assertThat(data(browser, "#job-progress", "done")).isEqualTo("3");
    assertThat(browser.driver.findElements(By.cssSelector("table.assignments tbody tr"))).isNotEmpty();
    String output = browser.find("article.job a.download").getAttribute("href");
    Map<String, Object> fetched = ConsolePage.fetch(browser, output);
    assertThat(fetched.get("status")).isEqualTo(200L);
    assertThat(((String) fetched.get("body")).strip().split("\n")).hasSize(3);
    checkAndPhotograph(browser, "job");
    fitsAPhone(browser, "article.job", "job-phone");
  }

  /** Needs POST /apps and GET /apps (the APPS branch); ada is a data scientist, so an admin pushes. */
  @Test
  @Order(70)
  void anAppIsPushedFromTheForm() throws Exception {
    Path source = work.resolve("hello");
    Files.createDirectories(source);
    Files.writeString(source.resolve("index.html"), "hello from an app\n");
    Path archive = work.resolve("hello.tar");
    Process tar = new ProcessBuilder("tar", "-cf", archive.toString(), "-C", source.toString(), ".")
        .redirectErrorStream(true).start();
    assertThat(tar.waitFor()).isZero();
    Path config = Files.writeString(work.resolve("app.json"), "{\"name\": \"hello\", \"runtime\": {\"language-name\":"
        + " \"python\", \"libraries\": []}, \"command\": \"python3 -m http.server 8000\", \"port\": 8000,"
        + " \"replicas\": 1, \"readiness\": {\"path\": \"/\"}}");
    ConsolePage.signOutAndIn(browser, "admin", OneNodeDCloud.ADMIN_PASSWORD);
    go("#/apps");
    browser.find("form.app-push input[name=source]").sendKeys(archive.toAbsolutePath().toString());
    browser.find("form.app-push input[name=config]").sendKeys(config.toAbsolutePath().toString());
    browser.click("form.app-push button[name=app-push]");
    assertThat(awaitText(browser, "form.app-push .saved", "hello source version 1", "the pushed app")).contains("service");
    browser.find("table.apps tr[data-app=hello]");
    checkAndPhotograph(browser, "apps");
    fitsAPhone(browser, "table.apps", "apps-phone");
  }

  /** Its service goes, then its source once the replica that mounts it has stopped. */
  @Test
  @Order(80)
  void anAppIsDeletedWholeAfterConfirming() {
    go("#/apps");
    clickAndConfirm(browser, "table.apps tr[data-app=hello] button[name=delete-app]");
    awaitText(browser, "main .saved", "App hello deleted.", "the app deleted");
    assertThat(browser.driver.findElements(By.cssSelector("table.apps tr[data-app=hello]"))).isEmpty();
    assertThat(dcloud.api().get("/api/v1/services/hello").status()).isEqualTo(404);
    assertThat(dcloud.api().get("/api/v1/datasets/apps/hello/source").status()).isEqualTo(404);
  }

  /** The same for a model: its service, then its bundle's versions (the job's output stays). */
  @Test
  @Order(90)
  void aModelIsDeletedWholeAfterConfirming() {
    go("#/models");
    clickAndConfirm(browser, "table.models tr[data-model=iris] button[name=delete-model]");
    awaitText(browser, "main .saved", "Model iris deleted.", "the model deleted");
    assertThat(browser.driver.findElements(By.cssSelector("table.models tr[data-model=iris]"))).isEmpty();
    assertThat(dcloud.api().get("/api/v1/services/iris").status()).isEqualTo(404);
    assertThat(dcloud.api().get("/api/v1/models/iris").status()).isEqualTo(404);
  }
}
