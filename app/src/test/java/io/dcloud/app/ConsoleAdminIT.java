package io.dcloud.app;

import static io.dcloud.app.ConsolePage.awaitState;
import static io.dcloud.app.ConsolePage.awaitText;
import static io.dcloud.app.ConsolePage.checkAndPhotograph;
import static io.dcloud.app.ConsolePage.clickAndConfirm;
import static io.dcloud.app.ConsolePage.confirm;
import static io.dcloud.app.ConsolePage.data;
import static io.dcloud.app.ConsolePage.replaceValue;
import static io.dcloud.app.ConsolePage.signIn;
import static io.dcloud.app.ConsolePage.signOutAndIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.dcloud.identity.TestDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's Users, Templates and Datasets pages in a real Chromium against a real one-node
 * DCloud: an admin creates a user, sees a bad quota refused beside its field, sets a good one,
 * changes the user's roles and finds all of it in the audit log; sees a directory's (LDAP's) user,
 * recorded at sign-in, with the roles and password the directory keeps, and disables them; a data scientist is not offered
 * the Users page (and hears the API's refusal when opening it anyway), saves one of their
 * environments as a template, edits it, opens the new-environment form filled from it, is refused
 * the deletion of a built-in template in words and deletes their own; uploads a file as a dataset
 * (version 1 of its size), downloads the same bytes, adds version 2 on the dataset's page (its
 * progress bar full), is refused the deletion of all versions while an environment mounts the
 * latest (the 409 names the environment), deletes version 1, and all once that is stopped; names
 * unknown readers of a dataset (the 422 beside each field) and then a real one. A platform configurer
 * cordons and uncordons the node after confirming (and sees an admin's cordon arrive by the event
 * stream), sees an invalid catalog's field error, saves a valid one, and drains the node (last: its
 * environments leave it) before uncordoning it. The admin then deletes a user after confirming, and the
 * configurer removes the volume a deleted environment left on the node.
 * Each page is checked with axe-core and photographed into target/.
 */
@Tag("docker") @Tag("cassandra")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAdminIT {
  private static final String NODE_ID = "console-admin-it-node";
  private static final String NODE = "section.node[data-node-id='" + NODE_ID + "']";
  private static final String PASSWORD = "console-admin-it-password";
  private static final String DATASET = "console/it/notes";
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);

  private static OneNodeDCloud dcloud;
  private static TestDirectory directory;
  private static Browser browser;
  private static String base;
  private static Api dee;
  private static String deesEnvironment;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    directory = TestDirectory.start(0);
    Map<String, Object> settings = new HashMap<>();
    ConfigFactory.parseString(TestDirectory.settings(directory.url(), "")).entrySet()
        .forEach(entry -> settings.put(entry.getKey(), entry.getValue().unwrapped()));
    settings.put("dcloud.identity.authenticators", List.of("built-in", "ldap"));
    dcloud = OneNodeDCloud.start(NODE_ID, settings);
    Api admin = dcloud.api();
    base = admin.uri("").toString();
    // What dee owns is made by dee, with dee's own token.
    dee = TestUsers.create(admin, "dee", PASSWORD, "data-scientist");
    TestUsers.create(admin, "cy", PASSWORD, "platform-configurer");
    Api.Response environment = dee.post("/api/v1/environments",
        "{\"env-name\": \"dees-env\", \"os\": \"tiny\", \"resources\": {\"cpu\": \"0.1\", \"ram\": \"64M\"}}");
    assertThat(environment.status()).as(environment.body()).isEqualTo(202);
    deesEnvironment = environment.json().path("id").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(browser, dcloud, directory);
  }

  @Test
  @Order(10)
  void anAdminCreatesAUserAndSetsTheirQuotaWithFieldErrorsInline() {
    browser.open(base + "/");
    signIn(browser, "admin", OneNodeDCloud.ADMIN_PASSWORD);
    browser.click("#nav a[href='#/users']");
    assertThat(browser.shownText("table.users tr[data-username=dee]")).contains("data-scientist");
    checkAndPhotograph(browser, "users");

    browser.find("form.new-user input[name=username]").sendKeys("fay");
    browser.find("form.new-user input[name=password]").sendKeys(PASSWORD);
    browser.click("form.new-user input[name=roles][value=app-developer]");
    browser.click("form.new-user button[name=create-user]");
    browser.find("article.user-page[data-username=fay]");
    assertThat(browser.shownText(".user-roles")).contains("app-developer", "data-scientist");

    WebElement cpu = replaceValue(browser, "form.quota input[name=cpu]", "lots");
    browser.click("form.quota button[name=save-quota]");
    WebElement error = browser.find("#" + cpu.getAttribute("id") + "-error");
    assertThat(error.getText()).isNotBlank();
    assertThat(cpu.getAttribute("aria-invalid")).isEqualTo("true");
    checkAndPhotograph(browser, "user");
    assertThat(dcloud.api().get("/api/v1/users/fay").json().path("quotaFrom").asText()).isEqualTo("roles");

    replaceValue(browser, "form.quota input[name=cpu]", "2");
    replaceValue(browser, "form.quota input[name=environments]", "3");
    browser.click("form.quota button[name=save-quota]");
    browser.until(d -> browser.text(".user-quota").contains("(the user's own)") ? true : null, "the saved quota");
    assertThat(browser.text(".user-quota")).contains("cpu 2", "environments 3");
    assertThat(browser.text(".user-usage")).as("what fay holds, against her new limits").contains("cpu 0/2", "environments 0/3");
    assertThat(browser.driver.findElements(By.cssSelector("form.quota [aria-invalid]"))).isEmpty();
    Api.Response fay = dcloud.api().get("/api/v1/users/fay");
    assertThat(fay.json().path("quota").path("cpu").asText()).isEqualTo("2");
    assertThat(fay.json().path("quota").path("environments").asInt()).isEqualTo(3);

    browser.click("form.account input[name=roles][value=app-developer]");
    browser.click("form.account button[name=save-account]");
    browser.until(d -> browser.text(".user-roles").contains("app-developer") ? null : true, "the saved roles");
    assertThat(dcloud.api().get("/api/v1/users/fay").json().path("roles").toString()).isEqualTo("[\"data-scientist\"]");
  }

  /** A directory's user, recorded at their first sign-in: their roles and password are the directory's, the rest DCloud's. */
  @Test
  @Order(15)
  void aDirectorysUserIsListedAndTheirPageChangesOnlyWhatDCloudDecides() {
    assertThat(dcloud.api().as("alice", "alice-pw").get("/api/v1/users/me").status()).as("signed in by LDAP").isEqualTo(200);
    browser.open(base + "/#/users");
    assertThat(browser.shownText("table.users tr[data-username=alice]")).contains("ldap").contains("data-scientist");
    browser.click("table.users tr[data-username=alice] a");
    browser.find("article.user-page[data-username=alice]");
    assertThat(browser.shownText("article.user-page .user-source")).isEqualTo("ldap");
    assertThat(browser.find("form.account input[name=roles][value=data-scientist]").isEnabled())
        .as("her roles come from the directory").isFalse();
    assertThat(browser.driver.findElements(By.cssSelector("form.account input[name=password]"))).isEmpty();
    assertThat(browser.shownText("form.account .signs-in")).contains("ldap password");
    checkAndPhotograph(browser, "user-from-directory");

    browser.click("form.account input[name=disabled]");
    browser.click("form.account button[name=save-account]");
    awaitText(browser, "form.account .saved", "Saved alice's account.", "alice disabled");
    Api.Response signIn = dcloud.api().post("/api/v1/auth/login",
        "{\"username\": \"alice\", \"password\": \"alice-pw\"}");
    assertThat(signIn.status()).as("disabled in DCloud, the directory's yes does not sign her in").isEqualTo(401);
  }

  @Test
  @Order(20)
  void theAuditLogListsWhatTheAdminDid() {
    browser.click("a[href='#/users']");
    replaceValue(browser, "input[name=audit-user]", "admin");
    // The audit trail is written after each answer: ask again until it has all three. The table says whose
    // entries it lists once the filtered answer is in (the page's first read lists everyone's).
    browser.until(d -> {
      browser.click("button[name=audit-filter]");
      return d.findElements(By.cssSelector("table.audit-log[data-user=admin] tr[data-target=fay]")).size() >= 3
          ? true : null;
    }, "the audit log to list the admin's changes to fay");
    assertThat(browser.text("table.audit-log tbody")).contains("user.create", "user.quota", "user.update");
    // The filter is the API's: only the admin's entries.
    assertThat(browser.script("return [...document.querySelectorAll('table.audit-log tbody tr td:nth-child(2)')]"
        + ".every(cell => cell.textContent === 'admin')")).isEqualTo(true);
    browser.script("document.querySelector('section.audit').scrollIntoView()");
    checkAndPhotograph(browser, "audit");
  }

  /** On the admin's account page: a group made with a member, its members changed, and deleted. */
  @Test
  @Order(25)
  void anAdminMakesAGroupChangesItsMembersAndDeletesIt() {
    browser.click("#who a.user");
    browser.find("form.new-group input[name=group-name]").sendKeys("Not A Name");
    browser.click("form.new-group button[name=create-group]");
    assertThat(ConsolePage.awaitError(browser, "#" + browser.find("form.new-group input[name=group-name]")
        .getAttribute("id") + "-error", "the refused name")).isNotBlank();
    replaceValue(browser, "form.new-group input[name=group-name]", "admin-lab");
    // Not dee: a member dropped from a group is signed out, and the tests after this one act with dee's token.
    browser.find("form.new-group input[name=new-group-members]").sendKeys("cy, fay");
    browser.click("form.new-group button[name=create-group]");
    String row = "table.groups tr[data-group=admin-lab]";
    browser.find(row);
    assertThat(browser.find(row + " input[name=group-members]").getAttribute("value")).isEqualTo("cy, fay");
    checkAndPhotograph(browser, "account-groups");

    replaceValue(browser, row + " input[name=group-members]", "fay");
    browser.click(row + " button[name=save-members]");
    browser.until(d -> dcloud.api().get("/api/v1/groups/admin-lab").json().path("members").toString().equals("[\"fay\"]")
        ? true : null, "the saved members");
    ConsolePage.clickAndConfirm(browser, row + " button[name=delete-group]");
    browser.until(d -> d.findElements(By.cssSelector(row)).isEmpty() ? true : null, "the group gone");
    assertThat(dcloud.api().get("/api/v1/groups/admin-lab").status()).isEqualTo(404);

    // What was shared with admin-lab is shared with its name: a new admin-lab only when the admin says so.
    replaceValue(browser, "form.new-group input[name=group-name]", "admin-lab");
    browser.click("form.new-group button[name=create-group]");
    assertThat(ConsolePage.awaitError(browser, "#" + browser.find("form.new-group input[name=group-name]")
        .getAttribute("id") + "-error", "the deleted group's name")).contains("was deleted");
    browser.click("form.new-group input[name=inheritDeleted]");
    browser.click("form.new-group button[name=create-group]");
    browser.find(row);
    assertThat(dcloud.api().get("/api/v1/groups/admin-lab").status()).isEqualTo(200);
    ConsolePage.clickAndConfirm(browser, row + " button[name=delete-group]");
    browser.until(d -> d.findElements(By.cssSelector(row)).isEmpty() ? true : null, "the group gone again");
  }

  @Test
  @Order(30)
  void aDataScientistIsNotOfferedTheUsersPageAndHearsTheRefusal() {
    signOutAndIn(browser, "dee", PASSWORD);
    assertThat(ConsolePage.navigation(browser)).containsExactly("Environments", "New environment", "Templates", "Datasets",
        "Volumes", "Services", "Devices", "Models", "Jobs", "Usage");
    browser.open(base + "/#/users");
    assertThat(browser.shownText("main .error")).contains("needs the role admin; ");
  }

  @Test
  @Order(40)
  void savesAnEnvironmentAsATemplateEditsUsesAndDeletesIt() {
    browser.click("#nav a[href='#/templates']");
    assertThat(browser.shownText("table.templates tr[data-template=python-ml]")).contains("built-in");
    checkAndPhotograph(browser, "templates");

    new Select(browser.find("select[name=environment]")).selectByValue(deesEnvironment);
    browser.find("input[name=template-name]").sendKeys("dees-template");
    browser.find("form.new-template input[name=description]").sendKeys("dee's environment");
    browser.click("button[name=create-template]");
    browser.find("article.template-page[data-template=dees-template]");
    assertThat(browser.text(".facts")).contains("dee");
    assertThat(browser.find("textarea[name=spec]").getDomProperty("value")).contains("\"dees-env\"", "\"tiny\"");

    replaceValue(browser, "form.template input[name=description]", "edited in the console");
    // A request that gets no answer (Chrome aborts those in flight when a network interface comes or
    // goes, as Docker's do) is tried again, saying so, and reported in words once the tries run out.
    browser.failRequestsTo("*/api/v1/templates/dees-template");
    try {
      browser.click("form.template button[name=save]");
      assertThat(browser.shownText("#connection")).contains("cannot be reached", "trying again");
      assertThat(browser.shownText("form.template .error")).contains("the gateway cannot be reached");
      assertThat(browser.driver.findElement(By.id("connection")).isDisplayed()).isFalse();
      browser.click("form.template button[name=save]");
      assertThat(browser.shownText("#connection")).contains("trying again");
    } finally {
      browser.failRequestsTo();
    }
    assertThat(browser.shownText("form.template .saved")).contains("Saved");
    assertThat(browser.driver.findElement(By.id("connection")).isDisplayed()).isFalse();
    assertThat(dcloud.api().get("/api/v1/templates/dees-template").json().path("description").asText())
        .isEqualTo("edited in the console");
    checkAndPhotograph(browser, "template");

    browser.click("a[data-use-template=dees-template]");
    browser.until(d -> "dees-env".equals(browser.find("input[name=env-name]").getDomProperty("value")) ? true : null,
        "the new-environment form filled from the template");
    assertThat(new Select(browser.find("select[name=os]")).getFirstSelectedOption().getAttribute("value")).isEqualTo("tiny");

    // Only configurers and admins delete the platform's templates: the API says so, in words.
    browser.open(base + "/#/templates/python-ml");
    clickAndConfirm(browser, "article.template-page[data-template=python-ml] button[name=delete]");
    assertThat(browser.shownText("form.template .error")).contains("only platform configurers and admins delete it");

    browser.open(base + "/#/templates/dees-template");
    clickAndConfirm(browser, "article.template-page[data-template=dees-template] button[name=delete]");
    browser.find("table.templates");
    assertThat(browser.driver.findElements(By.cssSelector("tr[data-template=dees-template]"))).isEmpty();
    assertThat(dcloud.api().get("/api/v1/templates/dees-template").status()).isEqualTo(404);
  }

  @Test
  @Order(50)
  void uploadsADatasetDownloadsTheSameBytesAndDeletesItOnceNoEnvironmentMountsIt() throws Exception {
    browser.click("#nav a[href='#/datasets']");
    browser.find("table.datasets");
    checkAndPhotograph(browser, "datasets");

    String content = "notes uploaded from the console\n".repeat(100);
    Path file = Files.createTempFile("console-admin-it", ".txt");
    Files.writeString(file, content);
    browser.find("form.upload input[name=dataset]").sendKeys(DATASET);
    browser.find("form.upload input[name=file]").sendKeys(file.toAbsolutePath().toString());
    browser.click("form.upload button[name=upload]");
    browser.find("article.dataset-page[data-dataset='" + DATASET + "']");
    String version = "tr[data-version='1']";
    assertThat(browser.find(version + " td.size").getAttribute("data-size")).isEqualTo(String.valueOf(content.length()));
    assertThat(browser.text(version)).contains("version 1", content.length() + " bytes", "dee");

    String href = browser.find(version + " a.download").getAttribute("href");
    assertThat(ConsolePage.fetch(browser, href).get("body")).isEqualTo(content);
    assertThat(dcloud.api().get("/api/v1/datasets/" + DATASET + "?version=1").body()).isEqualTo(content);

    // The dataset's page adds the next version, its progress bar full once the bytes are sent.
    Files.writeString(file, "the second version\n");
    browser.find("form.upload input[name=file]").sendKeys(file.toAbsolutePath().toString());
    browser.click("form.upload button[name=upload]");
    browser.find("tr[data-version='2']");
    assertThat(browser.shownText("form.upload .upload-label")).startsWith("Uploaded");
    assertThat(browser.script("const bar = document.querySelector('form.upload progress'); return bar.value === bar.max"))
        .isEqualTo(true);
    assertThat(browser.shownText("form.upload .saved")).contains("version 2", "19 bytes");
    checkAndPhotograph(browser, "dataset");

    // While an environment mounts the latest version the API refuses to delete it, naming the environment.
    Api.Response reader = dee.post("/api/v1/environments", """
        {"env-name": "reads-notes", "os": "tiny", "resources": {"cpu": "0.1", "ram": "64M"},
         "dataset": [{"category-name": "console", "db": [{"db-name": "it", "dataset": [{"dataset-name": "notes"}]}]}]}
        """);
    assertThat(reader.status()).as(reader.body()).isEqualTo(202);
    String readerId = reader.json().path("id").asText();
    // The guard asks the gateway's read side: the environment must be there first.
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(dee.get("/api/v1/environments").body()).contains(readerId));
    clickAndConfirm(browser, "button[name=delete-all]");
    assertThat(browser.shownText("article.dataset-page section .error")).contains("reads-notes", "stop them first");
    assertThat(browser.driver.findElements(By.cssSelector("tr[data-version]"))).hasSize(2);
    // Version 1 is mounted by no one: it goes.
    clickAndConfirm(browser, version + " button[name=delete-version]");
    assertThat(browser.shownText("article.dataset-page section .saved")).contains("Deleted version 1");
    browser.until(d -> d.findElements(By.cssSelector(version)).isEmpty() ? true : null, "version 1 to be gone");

    assertThat(dee.post("/api/v1/environments/" + readerId + "/stop", "").status()).isEqualTo(202);
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(dee.get("/api/v1/environments/" + readerId).json().path("status").asText())
            .isEqualTo("STOPPED"));
    clickAndConfirm(browser, "button[name=delete-all]");
    browser.until(d -> browser.text("article.dataset-page section").contains("no versions left") ? true : null,
        "every version to be deleted");
    assertThat(browser.driver.findElements(By.cssSelector("tr[data-version]"))).isEmpty();
    assertThat(dcloud.api().get("/api/v1/datasets/" + DATASET + "?version=2").status()).isEqualTo(404);
  }

  @Test
  @Order(60)
  void namesUnknownReadersBesideTheirFieldsAndSavesARealOne() throws Exception {
    assertThat(dee.put("/api/v1/datasets/console/it/shared", "{\"a\": 1}").status()).isEqualTo(201);
    browser.open(base + "/#/datasets/console%2Fit%2Fshared");
    browser.find("article.dataset-page[data-dataset='console/it/shared']");
    WebElement users = replaceValue(browser, "form.readers input[name=reader-users]", "fay, nobody-such");
    WebElement groups = replaceValue(browser, "form.readers input[name=reader-groups]", "no-such-group");
    browser.click("form.readers button[name=save-readers]");
    assertThat(awaitText(browser, "#" + users.getAttribute("id") + "-error", "nobody-such", "the users' error"))
        .doesNotContain("fay");
    assertThat(browser.text("#" + groups.getAttribute("id") + "-error")).contains("no-such-group");
    assertThat(users.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.text("form.readers")).contains("2 fields are not valid").doesNotContain("null");
    checkAndPhotograph(browser, "dataset-readers");

    replaceValue(browser, "form.readers input[name=reader-users]", "fay");
    replaceValue(browser, "form.readers input[name=reader-groups]", "");
    browser.click("form.readers button[name=save-readers]");
    assertThat(awaitText(browser, "form.readers .saved", "Saved", "the saved readers")).isNotBlank();
    assertThat(browser.text(".facts")).contains("fay");
    assertThat(dee.get("/api/v1/datasets/console/it/shared/versions").json().path("readers").toString())
        .isEqualTo("[\"fay\"]");
  }

  @Test
  @Order(70)
  void aConfigurerCordonsAndUncordonsTheNodeAfterConfirming() {
    signOutAndIn(browser, "cy", PASSWORD);
    browser.click("#nav a[href='#/nodes']");
    awaitState(browser, NODE, "UP", "the node to be up");
    assertThat(browser.text(NODE)).contains("CPU", "reserved", "Memory", "GPUs");
    checkAndPhotograph(browser, "nodes");
    browser.script("window.notReloaded = true");

    clickAndConfirm(browser, NODE + " button[name=cordon]");
    awaitState(browser, NODE, "CORDONED", "the node to be cordoned");
    assertThat(browser.text(NODE + " h2")).contains("CORDONED");
    clickAndConfirm(browser, NODE + " button[name=uncordon]");
    awaitState(browser, NODE, "UP", "the node to be uncordoned");

    // An admin's cordon elsewhere arrives by the event stream.
    Api admin = dcloud.api();
    assertThat(admin.post("/api/v1/nodes/" + NODE_ID + "/cordon", "{}").status()).isEqualTo(200);
    awaitState(browser, NODE, "CORDONED", "the event stream's node event");
    assertThat(admin.post("/api/v1/nodes/" + NODE_ID + "/uncordon", "{}").status()).isEqualTo(200);
    awaitState(browser, NODE, "UP", "the event stream's node event");
    assertThat(browser.script("return window.notReloaded === true")).isEqualTo(true);

    // The node counts the places reserved on it (dee's environment among them) and links to them by node.
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Api.Response placed = admin.get("/api/v1/environments?node=" + NODE_ID);
      assertThat(placed.body()).contains(deesEnvironment);
      assertThat(admin.get("/api/v1/nodes").json().path("nodes").get(0).path("environmentCount").asLong())
          .as("the scheduler's count, beside %s", placed.body())
          .isEqualTo(Environments.holdingAPlace(placed.json().path("environments")));
    });
    assertThat(admin.get("/api/v1/environments?node=no-such-node").json().path("environments")).isEmpty();
    assertThat(browser.text(NODE + " a.node-environments")).matches("\\d+ environments");
    browser.click(NODE + " a.node-environments");
    assertThat(browser.find("input[name=node-filter]").getAttribute("value")).isEqualTo(NODE_ID);
  }

  @Test
  @Order(80)
  void aConfigurerSeesTheCatalogsFieldErrorsInline() {
    browser.click("#nav a[href='#/catalog']");
    WebElement editor = browser.find("textarea[name=catalog]");
    browser.until(d -> editor.getDomProperty("value").contains("\"base-image\"") ? true : null, "the catalog");
    editor.clear();
    editor.sendKeys("[{\"os\": \"Not An OS!\", \"base-image\": \"debian:bookworm\"}]");
    browser.click("form.catalog button[name=save]");
    assertThat(browser.shownText(".catalog-errors li[data-field$='os']")).contains("lowercase letters");
    assertThat(editor.getAttribute("aria-invalid")).isEqualTo("true");
    checkAndPhotograph(browser, "catalog");
    // Nothing was stored: the catalog still offers what it offered.
    assertThat(dcloud.api().get("/api/v1/catalog").body()).contains("\"base-image\"").doesNotContain("Not An OS!");
  }

  @Test
  @Order(90)
  void aConfigurerSavesAValidCatalogEdit() {
    String original = dcloud.api().get("/api/v1/catalog").body();
    // Through another page: the catalog's page is drawn afresh, not left as the last test edited it.
    browser.click("#nav a[href='#/nodes']");
    browser.find(NODE);
    browser.click("#nav a[href='#/catalog']");
    WebElement editor = browser.find("textarea[name=catalog]");
    browser.until(d -> editor.getDomProperty("value").contains("\"tiny\"") ? true : null, "the catalog");
    try {
      // The edit: one more OS, the tiny one's copy under another name (typing the whole JSON would take long).
      browser.script("const catalog = JSON.parse(arguments[0].value);"
          + " catalog.push({...catalog.find(os => os.os === 'tiny'), os: 'console-os'});"
          + " arguments[0].value = JSON.stringify(catalog, null, 2);", editor);
      browser.click("form.catalog button[name=save]");
      assertThat(awaitText(browser, "form.catalog .saved", "Saved", "the saved catalog")).contains("new environments");
      assertThat(editor.getAttribute("aria-invalid")).isNull();
      assertThat(dcloud.api().get("/api/v1/catalog").body()).contains("\"console-os\"");
    } finally {
      assertThat(dcloud.api().put("/api/v1/catalog", original).status()).isEqualTo(200);
    }
    assertThat(dcloud.api().get("/api/v1/catalog").body()).doesNotContain("console-os");
  }

  /** Last of the node's tests: draining moves dee's running environment off the only node, until it is uncordoned. */
  @Test
  @Order(100)
  void aConfigurerDrainsTheNodeAfterConfirmingAndUncordonsIt() {
    browser.click("#nav a[href='#/nodes']");
    awaitState(browser, NODE, "UP", "the node to be up");
    browser.click(NODE + " button[name=drain]");
    assertThat(browser.text("dialog[open]")).contains("moved elsewhere");
    confirm(browser);
    awaitState(browser, NODE, "DRAINING", "the node to be draining");
    assertThat(browser.text(NODE + " h2")).contains("DRAINING");
    checkAndPhotograph(browser, "nodes-draining");
    clickAndConfirm(browser, NODE + " button[name=uncordon]");
    awaitState(browser, NODE, "UP", "the node to take environments again");
    // Placing works again: dee's environment, moved off while draining, runs again.
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(dcloud.api().get("/api/v1/environments/" + deesEnvironment).json().path("status").asText())
            .isEqualTo("RUNNING"));
  }

  private static void awaitStatus(String environmentId, String status) {
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(dcloud.api().get("/api/v1/environments/" + environmentId).json().path("status").asText())
            .isEqualTo(status));
  }

  @Test
  @Order(110)
  void anAdminDeletesAUserAfterConfirming() {
    // What fay runs holds the node's CPU and RAM: her deletion stops it, as JupyterHub stops a deleted user's server.
    Api.Response running = dcloud.api().as("fay", PASSWORD).post("/api/v1/environments",
        "{\"env-name\": \"fays-env\", \"os\": \"tiny\", \"resources\": {\"cpu\": \"0.1\", \"ram\": \"64M\"}}");
    assertThat(running.status()).as(running.body()).isEqualTo(202);
    String faysEnvironment = running.json().path("id").asText();
    awaitStatus(faysEnvironment, "RUNNING");
    signOutAndIn(browser, "admin", OneNodeDCloud.ADMIN_PASSWORD);
    // Her page links to her environments: the list filtered by owner, dee's left out.
    browser.open(base + "/#/users/fay");
    browser.click("article.user-page[data-username=fay] a.user-environments");
    assertThat(browser.find("input[name=owner-filter]").getAttribute("value")).isEqualTo("fay");
    browser.find("table.environments tr[data-env-id='" + faysEnvironment + "']");
    assertThat(browser.driver.findElements(By.cssSelector("table.environments tr[data-env-id='" + deesEnvironment + "']")))
        .isEmpty();
    browser.open(base + "/#/users/fay");
    browser.click("article.user-page[data-username=fay] button[name=delete-user]");
    assertThat(browser.text("dialog[open]")).contains("Delete user fay").contains("environments are stopped first")
        .contains("stays under the name fay");
    confirm(browser);
    browser.find("table.users");
    assertThat(browser.driver.findElements(By.cssSelector("table.users tr[data-username=fay]"))).isEmpty();
    assertThat(dcloud.api().get("/api/v1/users/fay").status()).isEqualTo(404);
    awaitStatus(faysEnvironment, "STOPPED");
    // What fay owned is owned by her name: a new fay gets it only when the admin says so.
    browser.find("form.new-user input[name=username]").sendKeys("fay");
    browser.find("form.new-user input[name=password]").sendKeys(PASSWORD);
    browser.click("form.new-user button[name=create-user]");
    WebElement name = browser.find("form.new-user input[name=username]");
    assertThat(browser.shownText("#" + name.getAttribute("id") + "-error")).contains("was deleted");
    assertThat(name.getAttribute("aria-invalid")).isEqualTo("true");
    browser.click("form.new-user input[name=inheritDeleted]");
    browser.click("form.new-user button[name=create-user]");
    browser.find("article.user-page[data-username=fay]");
    assertThat(dcloud.api().get("/api/v1/users/fay").status()).isEqualTo(200);
    // The API refuses an admin their own deletion: in words, where the button is.
    browser.open(base + "/#/users/admin");
    clickAndConfirm(browser, "article.user-page[data-username=admin] button[name=delete-user]");
    assertThat(browser.shownText("section.delete-user .error")).contains("cannot delete yourself");
    assertThat(dcloud.api().get("/api/v1/users/admin").status()).isEqualTo(200);
  }

  /**
   * The Usage page: the admin's own month, a future month refused beside its field, dee's month by the
   * Owner field (her environment that ran, with its hours, and the total) and every owner's.
   */
  @Test
  @Order(115)
  void anAdminSeesAnOwnersUsageAndEveryOwnersInTheMonth() {
    awaitStatus(deesEnvironment, "RUNNING");
    browser.click("#nav a[href='#/usage']");
    browser.find("table.usage[data-owner=admin][data-month]");
    String month = data(browser, "table.usage", "month");
    WebElement field = browser.find("input[name=usage-month]");
    assertThat(field.getAttribute("value")).as("this month, by default").isEqualTo(month);

    browser.script("arguments[0].value = '2999-01'", field);
    browser.click("button[name=usage-show]");
    assertThat(ConsolePage.awaitError(browser, "#" + field.getAttribute("id") + "-error", "the future month's error"))
        .isNotBlank();
    assertThat(field.getAttribute("aria-invalid")).isEqualTo("true");

    browser.script("arguments[0].value = arguments[1]", field, month);
    replaceValue(browser, "input[name=usage-owner]", "dee");
    String table = "table.usage[data-owner=dee][data-month='" + month + "']";
    String row = table + " tbody tr[data-env-id='" + deesEnvironment + "']";
    // Read from the journal: asked again until it has dee's environment (at once where it has long run).
    browser.until(d -> {
      browser.click("button[name=usage-show]");
      return d.findElements(By.cssSelector(row)).isEmpty() ? null : true;
    }, "dee's running environment in her usage");
    assertThat(field.getAttribute("aria-invalid")).isNull();
    assertThat(browser.text(row)).contains("dees-env", "RUNNING");
    assertThat(browser.find(row + " th a").getAttribute("href")).endsWith("#/environments/" + deesEnvironment);
    double hours = Double.parseDouble(data(browser, row + " td[data-running-hours]", "runningHours"));
    assertThat(hours).as("the hours dee's environment ran").isPositive();
    assertThat(Double.parseDouble(data(browser, row + " td[data-cpu-hours]", "cpuHours"))).isPositive();
    String total = table + " tfoot tr.total";
    assertThat(browser.text(total)).startsWith("Total");
    assertThat(Integer.parseInt(data(browser, total, "environments"))).isPositive();
    assertThat(Double.parseDouble(data(browser, total + " td[data-running-hours]", "runningHours"))).isGreaterThanOrEqualTo(hours);

    String owner = "table.usage-owners[data-month='" + month + "'] tbody tr[data-owner=dee]";
    assertThat(browser.shownText(owner)).startsWith("dee");
    // Its own report, counted up to its own "now": a moment before or after the one above.
    assertThat(Double.parseDouble(data(browser, owner + " td[data-running-hours]", "runningHours"))).isPositive();
    browser.find("table.usage-owners tfoot tr.total");
    checkAndPhotograph(browser, "usage");
  }

  @Test
  @Order(120)
  void aDeletedEnvironmentsVolumeIsItsOwnersToMountAgainAndAConfigurerRemovesItAfterConfirming() {
    Api.Response created = dee.post("/api/v1/environments", """
        {"env-name": "dees-data", "os": "tiny", "resources": {"cpu": "0.1", "ram": "64M"},
         "storage": [{"target": "/data", "size": "16M", "lifecycle": "persistent"}]}""");
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    String volume = "dcloud-" + NODE_ID + "-" + id + "-0";
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(dee.get("/api/v1/environments/" + id).json().path("status").asText()).isEqualTo("RUNNING"));
    assertThat(dee.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(dee.get("/api/v1/environments/" + id).json().path("status").asText()).isEqualTo("DELETED"));

    String row = "table.node-volumes tr[data-volume='" + volume + "']";
    // Its owner sees it among their volumes, and the new-environment form suggests it to mount again.
    signOutAndIn(browser, "dee", PASSWORD);
    browser.click("#nav a[href='#/volumes']");
    awaitState(browser, row, "ORPHANED", "dee's kept volume");
    assertThat(browser.text(row)).contains(NODE_ID, "/data", "dees-data");
    assertThat(browser.text(row + " td.size")).as("what its files take, as the engine counts them").contains(" bytes");
    assertThat(browser.find(row + " button[name=remove]").getAttribute("aria-label")).as("its owner's to remove too")
        .isEqualTo("Remove " + volume);
    checkAndPhotograph(browser, "my-volumes");
    browser.click("#nav a[href='#/new']");
    browser.click("#list-storage > button");
    assertThat(browser.find("#list-storage input[name=volume]").getAttribute("list")).isEqualTo("kept-volumes");
    browser.until(d -> d.findElements(By.cssSelector("datalist#kept-volumes option[value='" + volume + "']")).isEmpty()
        ? null : true, "the kept volume among the field's suggestions");

    signOutAndIn(browser, "cy", PASSWORD);
    browser.click("#nav a[href='#/nodes']");
    awaitState(browser, NODE, "UP", "the node to be up");
    browser.click(NODE + " a.node-volumes");
    awaitState(browser, row, "ORPHANED", "the deleted environment's volume");
    assertThat(browser.text(row)).contains("/data", "dees-data", "DELETED", "dee");
    checkAndPhotograph(browser, "node-volumes");

    browser.click(row + " button[name=remove]");
    assertThat(browser.text("dialog[open]")).contains("Remove volume " + volume, "deleted for good");
    confirm(browser);
    assertThat(awaitText(browser, ".saved", "Removed", "the removal")).contains(volume);
    browser.until(d -> data(browser, row, "state") == null ? true : null, "the volume's row to go");
    assertThat(Docker.exists(volume)).isFalse();
  }
}
