package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static io.dcloud.cli.CliSensorTypesTest.readTree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.device.CommandSender;
import io.dcloud.device.DeviceCommands;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud devices command|commands} against a real gateway and the real DeviceCommands
 * entities (what they send to the broker goes to a queue here); a device's answer is the
 * Acknowledge the ingest would tell the entity, told by the test.
 */
class CliDeviceCommandsTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final String VALVE = """
      {"name": "valve", "kind": "controller",
       "commands": {"set": {"params": {"level": {"type": "integer", "unit": "%", "min": 0, "max": 100}}},
                    "tune": {"params": {"level": {"type": "integer"}, "ratio": {"type": "number"},
                                        "on": {"type": "boolean"}, "mode": {"type": "string"},
                                        "label": {"type": "string"}, "code": {"type": "string"},
                                        "note": {"type": "string"}}},
                    "reset": {"params": {}}}}""";

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner conf;
  private static CliRunner erin;
  /** What the entities sent to the broker: device id and payload. */
  private static final BlockingQueue<Map.Entry<String, String>> sent = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-device-commands-test");
    CommandSender sender = (deviceId, payload) -> {
      sent.add(Map.entry(deviceId, payload));
      return CompletableFuture.completedFuture(Done.getInstance());
    };
    DeviceCommands.init(cluster.system(), sender);
    CliLogins logins = new CliLogins(cluster, homes);
    conf = logins.user("conf", "platform-configurer");
    erin = logins.user("erin", "end-user");
    ok(conf.runWithStdin(VALVE, "sensor-types", "create", "-f", "-"));
    for (String id : List.of("valve-params", "valve-reset", "valve-acked", "valve-rejected", "valve-invalid",
        "valve-listed")) {
      ok(conf.run("devices", "create", "--id", id, "--type", "valve", "--site", "plant"));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The payload of the next command sent to {@code device}; others' (resent until answered) are passed over. */
  private static JsonNode sentTo(String device) throws InterruptedException {
    return sentTo(device, null);
  }

  /** As {@link #sentTo(String)}; fails at once when {@code issuing}, the CLI run that issues it, ended without it. */
  private static JsonNode sentTo(String device, CliRunner.Running issuing) throws InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    List<String> passed = new ArrayList<>();
    while (Instant.now().isBefore(deadline)) {
      if (issuing != null && issuing.result().isDone() && sent.isEmpty()) {
        throw new AssertionError("the CLI ended before a command was sent: " + issuing.result().join());
      }
      Map.Entry<String, String> published = sent.poll(100, TimeUnit.MILLISECONDS);
      if (published != null && published.getKey().equals(device)) {
        return readTree(published.getValue());
      }
      if (published != null) {
        passed.add(published.getKey());
      }
    }
    throw new AssertionError("no command sent to " + device + " within " + WITHIN + ", only to " + passed);
  }

  private static void acknowledge(String device, String commandId, boolean ok, String message) {
    ClusterSharding.get(cluster.system()).entityRefFor(DeviceCommands.TYPE_KEY, device)
        .tell(new DeviceCommands.Acknowledge(commandId, ok, message));
  }

  private static JsonNode commands(String device) {
    return readTree(ok(erin.run("devices", "commands", device, "-o", "json")).out()).path("items");
  }

  @Test
  void parametersAreJsonWhenTheyParseAndStringsOtherwise() throws Exception {
    CliRunner.Result issued = ok(conf.run("devices", "command", "valve-params", "tune", "level=42", "ratio=0.5",
        "on=true", "mode=eco", "label=\"7\"", "code=12abc", "note="));

    JsonNode params = readTree("""
        {"level": 42, "ratio": 0.5, "on": true, "mode": "eco", "label": "7", "code": "12abc", "note": ""}""");
    JsonNode payload = sentTo("valve-params");
    assertThat(payload.path("name").asText()).isEqualTo("tune");
    assertThat(payload.path("params")).isEqualTo(params);
    String id = payload.path("id").asText();
    assertThat(issued.err()).containsPattern("command " + id + " to valve-params: (pending|sent)");
    assertThat(issued.out()).contains(id, "tune", "level=42", "conf");
    JsonNode held = commands("valve-params");
    assertThat(held).hasSize(1);
    assertThat(held.get(0).path("params")).isEqualTo(params);
    assertThat(held.get(0).path("issuedBy").asText()).isEqualTo("conf");
  }

  @Test
  void noParametersIsAnEmptyObjectAndAMalformedOneAUsageError() throws Exception {
    ok(conf.run("devices", "command", "valve-reset", "reset"));
    JsonNode payload = sentTo("valve-reset");
    assertThat(payload.path("name").asText()).isEqualTo("reset");
    assertThat(payload.path("params")).isEqualTo(readTree("{}"));

    CliRunner.Result twice = conf.run("devices", "command", "valve-reset", "set", "level=1", "level=2");
    assertThat(twice.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(twice.err()).contains("names level twice");
    CliRunner.Result bare = conf.run("devices", "command", "valve-reset", "set", "=2");
    assertThat(bare.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.err()).contains("must be KEY=VALUE, not '=2'");
    assertThat(commands("valve-reset")).hasSize(1);
  }

  @Test
  void waitFollowsTheCommandUntilTheDeviceAcknowledgesIt() throws Exception {
    CliRunner.Running waiting = conf.start("devices", "command", "valve-acked", "set", "level=42", "--wait");
    String id = sentTo("valve-acked", waiting).path("id").asText();

    acknowledge("valve-acked", id, true, "level set");

    CliRunner.Result acked = waiting.result().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(acked.status()).as(acked.toString()).isZero();
    assertThat(acked.err()).contains("command " + id + ": acked (attempts ");
    assertThat(acked.out()).contains(id, "acked", "level set");
    JsonNode held = commands("valve-acked").get(0);
    assertThat(held.path("status").asText()).isEqualTo("acked");
    assertThat(held.path("answer").asText()).isEqualTo("level set");
  }

  @Test
  void waitExitsWithAnErrorWhenTheDeviceRejectsIt() throws Exception {
    CliRunner.Running waiting = conf.start("devices", "command", "valve-rejected", "set", "level=42", "--wait");
    String id = sentTo("valve-rejected", waiting).path("id").asText();

    acknowledge("valve-rejected", id, false, "valve jammed");

    CliRunner.Result rejected = waiting.result().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(rejected.status()).as(rejected.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(rejected.err()).contains("dcloud: command " + id + " rejected: valve jammed");
    assertThat(commands("valve-rejected").get(0).path("status").asText()).isEqualTo("rejected");
  }

  @Test
  void anInvalidCommandIsTheGatewaysUsageError() {
    CliRunner.Result tooHigh = conf.run("devices", "command", "valve-invalid", "set", "level=420");
    assertThat(tooHigh.status()).as(tooHigh.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(tooHigh.err()).contains("params.level: ");

    CliRunner.Result unknown = conf.run("devices", "command", "valve-invalid", "explode");
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("name: ");

    CliRunner.Result notAllowed = erin.run("devices", "command", "valve-invalid", "reset");
    assertThat(notAllowed.status()).as(notAllowed.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(conf.run("devices", "command", "nope", "reset").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(commands("valve-invalid")).isEmpty();
  }

  @Test
  void listsADevicesCommands() throws Exception {
    ok(conf.run("devices", "command", "valve-listed", "set", "level=7"));
    String id = sentTo("valve-listed").path("id").asText();
    acknowledge("valve-listed", id, true, "ok");
    ok(conf.run("devices", "command", "valve-listed", "reset"));

    Instant deadline = Instant.now().plus(WITHIN);
    String listed;
    do {
      assertThat(Instant.now()).as("the acknowledgement listed").isBefore(deadline);
      listed = ok(erin.run("devices", "commands", "valve-listed")).out();
    } while (!listed.contains("acked"));

    assertThat(listed.lines().toList()).as(listed).hasSize(3);
    assertThat(listed).contains("ID", "STATUS", "ATTEMPTS", "ISSUED-BY", id, "level=7", "acked", "reset", "conf");
  }
}
