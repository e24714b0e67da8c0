package io.dcloud.app;

import static io.dcloud.app.ConsolePage.addRow;
import static io.dcloud.app.ConsolePage.awaitAttribute;
import static io.dcloud.app.ConsolePage.awaitError;
import static io.dcloud.app.ConsolePage.awaitText;
import static io.dcloud.app.ConsolePage.checkAndPhotograph;
import static io.dcloud.app.ConsolePage.clickAndConfirm;
import static io.dcloud.app.ConsolePage.data;
import static io.dcloud.app.ConsolePage.fitsAPhone;
import static io.dcloud.app.ConsolePage.replaceValue;
import static io.dcloud.app.DeviceMqtt.disconnect;
import static io.dcloud.app.DeviceMqtt.publish;
import static io.dcloud.app.DeviceMqtt.publishReading;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.broker.MosquittoBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
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
 * The console's Devices pages and a service's device bindings in a real Chromium against a real
 * one-node DCloud and a real Mosquitto: a platform configurer registers a sensor and a controller type
 * from the form (a bad name refused beside its field), registers a device and sees its credentials
 * once, filters the devices by location; a device publishing with those credentials (Eclipse Paho)
 * shows up live on its page (chart and table), a bad reading's reason is shown, stored readings are
 * queried, the device is disabled, enabled and its credentials rotated; a controller is commanded
 * from the generated form and its ack shown; an app's owner binds a sensor from the service's page
 * (an empty choice refused beside the device list) and unbinds it; an end user reads the devices
 * without the forms; a device is deleted after a confirmation. Every page is checked with axe-core,
 * photographed into target/, and shown at phone width without a sideways scroll.
 */
@Tag("docker") @Tag("cassandra") @Tag("mqtt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleDevicesIT {
  private static final String NODE_ID = "console-devices-it-node";
  private static final String PASSWORD = "console-devices-password";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static MosquittoBroker broker;
  private static OneNodeDCloud dcloud;
  private static Browser browser;
  private static String base;
  private static Api cora;
  private static Api ada;
  private static Api eve;
  /** t1's password as the create form showed it. */
  private static String t1Password;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    broker = MosquittoBroker.start();
    dcloud = OneNodeDCloud.start(NODE_ID, broker.config());
    base = dcloud.api().uri("").toString();
    cora = TestUsers.create(dcloud.api(), "cora", PASSWORD, "platform-configurer");
    ada = TestUsers.create(dcloud.api(), "ada", PASSWORD, "app-developer");
    eve = TestUsers.create(dcloud.api(), "eve", PASSWORD, "end-user");
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(browser, dcloud, broker);
  }

  private static void go(String hash) {
    browser.open(base + "/" + hash);
  }

  private static void signInAs(String user) {
    if (!browser.driver.findElements(By.cssSelector("#sign-out")).isEmpty()) {
      browser.click("#sign-out");
    }
    ConsolePage.signIn(browser, user, PASSWORD);
  }

  /** A device's own MQTT connection, once the broker knows it. */
  private static MqttClient connectWhenAllowed(String device, String password) {
    return DeviceMqtt.connectOnceAllowed(broker.url(), "console-it-" + device, device, password);
  }

  /** Whether the broker lets device in with password now. */
  private static boolean connects(String device, String password) {
    return DeviceMqtt.letsIn(broker.url(), "console-it-" + device, device, password);
  }

  @Test
  @Order(10)
  void aConfigurerRegistersASensorAndAControllerTypeFromTheForm() {
    go("");
    signInAs("cora");
    browser.click("#nav a[href='#/devices']");
    browser.find("form.new-type");
    assertThat(browser.text("section.device-types")).contains("No types yet.");

    replaceValue(browser, "form.new-type input[name=type-name]", "Not A Name");
    WebElement row = browser.find("#list-fields .row");
    row.findElement(By.name("field-name")).sendKeys("temperature");
    row.findElement(By.name("field-unit")).sendKeys("°C");
    row.findElement(By.name("field-min")).sendKeys("-40");
    row.findElement(By.name("field-max")).sendKeys("85");
    browser.click("form.new-type button[name=create-type]");
    WebElement name = browser.find("form.new-type input[name=type-name]");
    assertThat(awaitError(browser, "#" + name.getAttribute("id") + "-error", "the name's field error")).isNotBlank();
    assertThat(name.getAttribute("aria-invalid")).isEqualTo("true");

    replaceValue(browser, "form.new-type input[name=type-name]", "thermometer");
    browser.click("form.new-type button[name=create-type]");
    awaitText(browser, "form.new-type .saved", "thermometer", "the type registered");
    assertThat(awaitText(browser, "table.types tr[data-type=thermometer]", "temperature", "the type in the list"))
        .contains("sensor", "number °C, -40..85");

    replaceValue(browser, "form.new-type input[name=type-name]", "valve");
    new Select(browser.find("form.new-type select[name=kind]")).selectByValue("controller");
    browser.click("#list-fields .row button.link");
    WebElement command = addRow(browser, "commands");
    command.findElement(By.name("command-name")).sendKeys("set");
    command.findElement(By.cssSelector("fieldset.list > button.link")).click();
    WebElement param = command.findElement(By.cssSelector("fieldset.list .row"));
    param.findElement(By.name("param-name")).sendKeys("level");
    new Select(param.findElement(By.name("param-type"))).selectByValue("integer");
    param.findElement(By.name("param-min")).sendKeys("0");
    param.findElement(By.name("param-max")).sendKeys("100");
    browser.click("form.new-type button[name=create-type]");
    awaitText(browser, "form.new-type .saved", "valve", "the controller type registered");
    assertThat(awaitText(browser, "table.types tr[data-type=valve]", "set(", "the controller in the list"))
        .contains("controller", "level: integer, 0..100");
    checkAndPhotograph(browser, "device-types");
    fitsAPhone(browser, "table.types", "device-types-phone");
  }

  @Test
  @Order(20)
  void aDeviceIsRegisteredFromTheFormItsCredentialsShownOnceAndTheListFilteredByLocation() throws Exception {
    go("#/devices");
    new Select(browser.find("form.new-device select[name=device-type]")).selectByValue("thermometer");
    replaceValue(browser, "form.new-device input[name=device-id]", "t1");
    browser.click("form.new-device button[name=create-device]");
    // Neither a site nor a point: refused beside the location.
    assertThat(awaitError(browser, "#device-location-error", "the location's field error")).isNotBlank();

    replaceValue(browser, "form.new-device input[name=site]", "hq");
    replaceValue(browser, "form.new-device input[name=building]", "north");
    replaceValue(browser, "form.new-device input[name=room]", "lab");
    browser.click("form.new-device button[name=create-device]");
    awaitText(browser, "section.credentials", "device-t1", "the credentials shown once");
    assertThat(browser.text("section.credentials .warning")).contains("shown this once");
    t1Password = browser.find("#credentials-password").getAttribute("value");
    assertThat(t1Password).isNotBlank();
    assertThat(browser.text("section.credentials .credentials-broker")).startsWith("tcp://");
    browser.find("section.credentials button[name=copy-password]");
    checkAndPhotograph(browser, "device-created");
    // The secret is not kept: the device's own page does not show it.
    Api.Response t1 = cora.get("/api/v1/devices/t1");
    assertThat(t1.body()).doesNotContain(t1Password);

    Api.Response t2 = cora.post("/api/v1/devices",
        "{\"id\": \"t2\", \"type\": \"thermometer\", \"location\": {\"site\": \"hq\", \"building\": \"south\"}}");
    assertThat(t2.status()).as(t2.body()).isEqualTo(201);
    awaitAttribute(browser, "table.devices tr[data-device=t1]", "enabled", "true", "t1 in the list");
    replaceValue(browser, "input[name=devices-building]", "north");
    browser.click("button[name=devices-filter]");
    browser.until(d -> d.findElements(By.cssSelector("table.devices tr[data-device=t2]")).isEmpty() ? true : null,
        "the filter to leave t2 out");
    assertThat(browser.text("table.devices tr[data-device=t1]")).contains("thermometer", "hq / north / lab");
    fitsAPhone(browser, "table.devices", "devices-phone");
  }

  @Test
  @Order(30)
  void aDevicesReadingsArriveLiveAndABadOnesReasonIsShown() throws Exception {
    go("#/devices/t1");
    awaitText(browser, ".live-readings .chart-state", "Live", "the live readings stream");
    MqttClient t1 = connectWhenAllowed("t1", t1Password);
    try {
      // Published until one arrives: the page's subscription starts a moment after its stream opens.
      browser.until(d -> {
        try {
          publishReading(t1, "t1", "{\"temperature\": 21.5}");
        } catch (MqttException e) {
          throw new IllegalStateException(e);
        }
        return Integer.parseInt(data(browser, ".live-readings", "count")) > 0 ? true : null;
      }, "a live reading");
      assertThat(browser.text("table.readings-live tbody tr")).contains("temperature=21.5");
      assertThat(Integer.parseInt(data(browser, "figure[data-chart=temperature]", "points"))).isPositive();
      publishReading(t1, "t1", "{\"temperature\": \"hot\"}");
    } finally {
      disconnect(t1);
    }
    assertThat(awaitText(browser, ".rejection-reason", "temperature", "the rejection's reason")).contains("hot");
    browser.until(d -> Integer.parseInt(data(browser, "article.device", "accepted")) > 0 ? true : null, "accepted counted");
    assertThat(data(browser, "article.device", "rejected")).isEqualTo("1");

    browser.click("form.readings-query button[name=query-readings]");
    awaitText(browser, "table.readings-stored tbody", "temperature=21.5", "the stored readings");
    replaceValue(browser, "form.readings-query input[name=limit]", "0");
    browser.click("form.readings-query button[name=query-readings]");
    WebElement limit = browser.find("form.readings-query input[name=limit]");
    assertThat(awaitError(browser, "#" + limit.getAttribute("id") + "-error", "the limit's field error")).isNotBlank();
    checkAndPhotograph(browser, "device");
    fitsAPhone(browser, "article.device", "device-phone");

    browser.click("article.device button[name=disable]");
    awaitAttribute(browser, "article.device", "enabled", "false", "the device disabled");
    browser.click("article.device button[name=enable]");
    awaitAttribute(browser, "article.device", "enabled", "true", "the device enabled again");
    clickAndConfirm(browser, "article.device button[name=rotate]");
    awaitText(browser, "section.credentials", "device-t1", "the rotated credentials");
    String rotated = browser.find("#credentials-password").getAttribute("value");
    assertThat(rotated).isNotBlank().isNotEqualTo(t1Password);
    // The broker's rules follow the registry: polled until the new secret is let in, and then the old one is not.
    browser.until(d -> connects("t1", rotated) ? true : null, "the rotated password to be let in");
    assertThat(connects("t1", t1Password)).as("the old password").isFalse();
  }

  @Test
  @Order(40)
  void aControllerIsCommandedFromTheGeneratedFormAndItsAckShown() throws Exception {
    Api.Response made = cora.post("/api/v1/devices",
        "{\"id\": \"v1\", \"type\": \"valve\", \"location\": {\"site\": \"hq\", \"room\": \"boiler\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    MqttClient valve = connectWhenAllowed("v1", made.json().path("credentials").path("password").asText());
    try {
      // The controller acknowledges every command it gets.
      valve.subscribe("dcloud/devices/v1/commands", 1, (topic, message) -> {
        JsonNode command = JSON.readTree(message.getPayload());
        ObjectNode ack = JSON.createObjectNode().put("id", command.path("id").asText()).put("ok", true)
            .put("message", "set to " + command.path("params").path("level").asInt());
        publish(valve, "dcloud/devices/v1/acks", JSON.writeValueAsString(ack));
      });
      go("#/devices/v1");
      assertThat(new Select(browser.find("form.issue-command select[name=command]")).getFirstSelectedOption().getText())
          .isEqualTo("set");
      WebElement level = replaceValue(browser, "form.issue-command input[name=param-level]", "500");
      browser.click("form.issue-command button[name=issue-command]");
      assertThat(awaitError(browser, "#" + level.getAttribute("id") + "-error", "the parameter's field error")).isNotBlank();
      assertThat(level.getAttribute("aria-invalid")).isEqualTo("true");
      replaceValue(browser, "form.issue-command input[name=param-level]", "40");
      browser.click("form.issue-command button[name=issue-command]");
      awaitAttribute(browser, "table.device-commands tbody tr", "status", "acked", "the command acknowledged");
      assertThat(browser.text("table.device-commands tbody tr")).contains("set(level=40)", "set to 40");
      checkAndPhotograph(browser, "controller");
      fitsAPhone(browser, "article.device", "controller-phone");
    } finally {
      disconnect(valve);
    }
  }

  /** A busybox httpd app that declares one to two thermometers. */
  private static String boundService() {
    ObjectNode service = BusyboxWebService.config("climate", 1, "hello");
    service.putArray("bindings").addObject().put("type", "thermometer").put("min", 1).put("max", 2);
    return service.toString();
  }

  @Test
  @Order(50)
  void theAppsOwnerBindsASensorFromTheServicePageAndUnbindsIt() throws Exception {
    Api.Response service = ada.post("/api/v1/services", boundService());
    assertThat(service.status()).as(service.body()).isEqualTo(201);
    signInAs("ada");
    go("#/services/climate");
    assertThat(awaitText(browser, "section.device-bindings .slots", "thermometer", "the declared slot")).contains("1 to 2");
    // The slots come with the service; the bindings' list is asked for after it, and may show a moment later.
    awaitText(browser, "section.device-bindings", "No bindings yet.", "the empty list of bindings");
    browser.click("form.bind-devices button[name=bind]");
    assertThat(awaitError(browser, "#bind-devices-error", "the devices' field error")).isNotBlank();

    replaceValue(browser, "input[name=bind-building]", "north");
    browser.click("button[name=bind-filter]");
    browser.until(d -> d.findElements(By.cssSelector(".device-choices [data-device=t2]")).isEmpty()
        && !d.findElements(By.cssSelector(".device-choices [data-device=t1]")).isEmpty() ? true : null, "only t1 offered");
    // A controller is not of the declared type: never offered.
    assertThat(browser.driver.findElements(By.cssSelector(".device-choices [data-device=v1]"))).isEmpty();
    browser.click("#bind-t1");
    assertThat(browser.text(".bind-devices .picked")).contains("t1");
    checkAndPhotograph(browser, "service-bindings");
    fitsAPhone(browser, "section.device-bindings", "service-bindings-phone");
    browser.click("form.bind-devices button[name=bind]");
    String binding = browser.until(d -> data(browser, "table.bindings tbody tr", "binding"), "the binding listed");
    assertThat(browser.text("table.bindings tbody tr")).contains("t1", "ada");
    JsonNode listed = ada.get("/api/v1/services/climate/bindings").json().path("items");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("id").asText()).isEqualTo(binding);

    clickAndConfirm(browser, "table.bindings tbody tr button[name=unbind]");
    awaitText(browser, "section.device-bindings", "No bindings yet.", "the binding gone");
    assertThat(ada.get("/api/v1/services/climate/bindings").json().path("items")).isEmpty();
  }

  @Test
  @Order(55)
  void anEndUserFindsTheAppAndBindsTheirDeviceToIt() throws Exception {
    signInAs("eve");
    go("#/services");
    browser.click("a[href='#/services/climate']");
    assertThat(awaitText(browser, "section.device-bindings .slots", "thermometer", "the declared slot")).contains("1 to 2");
    browser.click("#bind-t1");
    browser.click("form.bind-devices button[name=bind]");
    String binding = browser.until(d -> data(browser, "table.bindings tbody tr", "binding"), "the binding listed");
    assertThat(browser.text("table.bindings tbody tr")).contains("t1", "eve");
    // The binding is eve's: the app's owner sees it too, and only eve (or an admin) may remove it.
    assertThat(ada.get("/api/v1/services/climate/bindings").json().path("items"))
        .extracting(b -> b.path("id").asText()).containsExactly(binding);
    assertThat(eve.get("/api/v1/services/climate/bindings").json().path("items").get(0).path("owner").asText())
        .isEqualTo("eve");
  }

  @Test
  @Order(60)
  void anEndUserReadsTheDevicesWithoutTheForms() {
    signInAs("eve");
    go("#/devices");
    browser.find("table.devices tr[data-device=t1]");
    browser.find("table.types tr[data-type=valve]");
    assertThat(browser.driver.findElements(By.cssSelector("form.new-type, form.new-device, button[name=delete-type]")))
        .isEmpty();
    go("#/devices/v1");
    awaitText(browser, "table.device-commands tbody", "set(level=40)", "the commands, read only");
    assertThat(browser.driver.findElements(By.cssSelector("form.issue-command, article.device button[name=delete]")))
        .isEmpty();
    checkAndPhotograph(browser, "devices-read-only");
  }

  @Test
  @Order(70)
  void aDeviceIsDeletedAfterAConfirmation() throws Exception {
    signInAs("cora");
    go("#/devices/t2");
    clickAndConfirm(browser, "article.device button[name=delete]");
    browser.until(d -> d.getCurrentUrl().endsWith("#/devices") ? true : null, "the devices list");
    browser.find("table.devices tr[data-device=t1]");
    assertThat(browser.driver.findElements(By.cssSelector("table.devices tr[data-device=t2]"))).isEmpty();
    assertThat(cora.get("/api/v1/devices/t2").status()).isEqualTo(404);
  }
}
