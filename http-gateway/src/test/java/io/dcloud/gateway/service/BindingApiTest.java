package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.RegistryView;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.device.DeviceUsers;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Binding a service to devices of the types its app declared: who may (the service's callers),
 * the registry's checks of types and counts, who sees and deletes a binding, and a deleted
 * service's bindings going with it. The gateway has a secrets key (the app's broker password is
 * sealed in its replicas' secret-env).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BindingApiTest {
  private static final String ENVIRONMENT = """
      {"version": "1", "os": "ubuntu", "resources": {"ram": "256M", "cpu": "0.5"},
       "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}]}""";

  private GatewayTestCluster cluster;
  private ServerBinding keyedGateway;
  private DeviceUsers users;
  private Api owner;
  private Api erin;
  private Api fay;
  private Api bob;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("BindingApiTest");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Config keyed = cluster.testKit.system().settings().config()
        .withValue("dcloud.secrets.key", ConfigValueFactory.fromAnyRef(Base64.getEncoder().encodeToString(key)));
    keyedGateway = cluster.start(cluster.backends, GatewaySettings.fromConfig(keyed));
    users = new DeviceUsers(cluster);
    owner = users.developer.at(GatewayTestCluster.uri(keyedGateway));
    erin = users.endUser.at(GatewayTestCluster.uri(keyedGateway));
    fay = users.make("fay", "end-user").at(GatewayTestCluster.uri(keyedGateway));
    bob = users.make("bob", "data-scientist").at(GatewayTestCluster.uri(keyedGateway));
    users.type(DeviceUsers.THERMOMETER, "thermo");
    users.type(DeviceUsers.VALVE, "valve");
    for (String id : List.of("t-1", "t-2", "t-3", "t-off")) {
      users.device(id, "thermo", "greenhouse");
    }
    users.device("v-1", "valve", "greenhouse");
    assertThat(users.configurer.postEmpty("/api/v1/devices/t-off/disable").status()).isEqualTo(200);
    created(owner.post("/api/v1/services", Api.JSON, service("plant",
        ", \"bindings\": [{\"type\": \"thermo\", \"min\": 1, \"max\": 2}, {\"type\": \"valve\", \"min\": 0, \"max\": 1}]")));
    created(owner.post("/api/v1/services", Api.JSON, service("plain", "")));
  }

  @AfterAll
  void stop() throws Exception {
    keyedGateway.unbind().toCompletableFuture().get();
    cluster.close();
  }

  private static String service(String name, String bindings) {
    return "{\"name\": \"" + name + "\", \"kind\": \"app\", \"environment\": " + ENVIRONMENT + ", \"port\": 8080, "
        + "\"readiness\": {\"path\": \"/ready\"}" + bindings + "}";
  }

  private static JsonNode created(Api.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    return answer.json();
  }

  private static String bind(String... devices) {
    return "{\"devices\": [" + String.join(", ", List.of(devices).stream().map(d -> "\"" + d + "\"").toList()) + "]}";
  }

  @Test
  void theServiceShowsTheTypesItConsumesAndAnUnregisteredTypeIsRefusedAtDeploy() {
    JsonNode slots = owner.get("/api/v1/services/plant").json().path("bindings");
    assertThat(slots).hasSize(2);
    assertThat(slots.get(0).path("type").asText()).isEqualTo("thermo");
    assertThat(slots.get(0).path("max").asInt()).isEqualTo(2);

    Api.Answer refused = owner.post("/api/v1/services", Api.JSON, service("nowhere",
        ", \"bindings\": [{\"type\": \"thermo\"}, {\"type\": \"barometer\"}]"));
    refused.problem(422);
    assertThat(refused.errorFields()).containsExactly("bindings[1].type");
  }

  @Test
  void anEndUserBindsTheServiceAndTheDevicesShowIt() {
    Api.Answer made = erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-1", "v-1"));

    JsonNode binding = created(made);
    assertThat(binding.path("service").asText()).isEqualTo("plant");
    assertThat(binding.path("owner").asText()).isEqualTo("erin");
    assertThat(binding.path("devices")).extracting(JsonNode::asText).containsExactly("t-1", "v-1");
    assertThat(binding.path("id").asText()).isNotBlank();
    assertThat(made.header("location")).isEqualTo("/api/v1/services/plant/bindings/" + binding.path("id").asText());
    assertThat(erin.get("/api/v1/devices/t-1").json().path("boundTo")).extracting(JsonNode::asText).contains("plant");
  }

  @Test
  void theRegistryChecksTypesCountsAndDevices() {
    Api.Answer tooMany = erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-1", "t-2", "t-3"));
    tooMany.problem(422);
    assertThat(tooMany.errorFields()).containsExactly("devices");

    Api.Answer disabled = erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-off"));
    disabled.problem(422);
    assertThat(disabled.errorFields()).containsExactly("devices");

    Api.Answer unknown = erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-404"));
    unknown.problem(422);
    assertThat(unknown.errorFields()).containsExactly("devices");

    Api.Answer none = erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("v-1"));
    none.problem(422);
    assertThat(none.reasonFor("devices")).contains("thermo");

    Api.Answer undeclared = erin.post("/api/v1/services/plain/bindings", Api.JSON, bind("t-1"));
    undeclared.problem(422);
    assertThat(undeclared.reasonFor("devices")).contains("declares no device bindings");

    Api.Answer malformed = erin.post("/api/v1/services/plant/bindings", Api.JSON, "{\"devices\": [\"t-1\", \"t-1\", 7]}");
    malformed.problem(422);
    assertThat(malformed.errorFields()).containsExactly("devices[1]", "devices[2]");
  }

  /** Two users each binding the app to one valve would run two control loops on it: the second is a 409. */
  @Test
  void aControllerIsBoundToAServiceOnce() {
    created(owner.post("/api/v1/services", Api.JSON, service("loop", ", \"bindings\": [{\"type\": \"valve\"}]")));
    created(erin.post("/api/v1/services/loop/bindings", Api.JSON, bind("v-1")));

    Api.Answer second = fay.post("/api/v1/services/loop/bindings", Api.JSON, bind("v-1"));

    second.problem(409);
    assertThat(second.errorFields()).containsExactly("devices");
    assertThat(second.reasonFor("devices")).contains("controller \"v-1\" is already bound to service \"loop\" by another"
        + " user's binding");
    assertThat(owner.delete("/api/v1/services/loop").status()).isEqualTo(202);
  }

  @Test
  void onlyTheServicesCallersBindAndOthersSeeNoService() {
    assertThat(bob.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-2")).status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/services/plant/bindings").status()).isEqualTo(404);
    assertThat(erin.post("/api/v1/services/ghost/bindings", Api.JSON, bind("t-2")).status()).isEqualTo(404);
    created(owner.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-2")));
  }

  @Test
  void eachSeesTheirOwnBindingsTheOwnerAllAndOnlyTheMakerOrAnAdminDeletes() {
    String erins = created(erin.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-3"))).path("id").asText();
    String fays = created(fay.post("/api/v1/services/plant/bindings", Api.JSON, bind("t-3"))).path("id").asText();

    assertThat(erin.get("/api/v1/services/plant/bindings").ids("items")).contains(erins).doesNotContain(fays);
    assertThat(fay.get("/api/v1/services/plant/bindings").ids("items")).contains(fays).doesNotContain(erins);
    assertThat(owner.get("/api/v1/services/plant/bindings").ids("items")).contains(erins, fays);
    assertThat(users.admin.get("/api/v1/services/plant/bindings").ids("items")).contains(erins, fays);

    assertThat(fay.delete("/api/v1/services/plant/bindings/" + erins).status()).isEqualTo(404);
    assertThat(erin.delete("/api/v1/services/plain/bindings/" + erins).status()).isEqualTo(404);
    assertThat(erin.delete("/api/v1/services/plant/bindings/" + erins).status()).isEqualTo(204);
    assertThat(erin.delete("/api/v1/services/plant/bindings/" + erins).status()).isEqualTo(404);
    assertThat(users.admin.delete("/api/v1/services/plant/bindings/" + fays).status()).isEqualTo(204);
    assertThat(owner.get("/api/v1/services/plant/bindings").ids("items")).doesNotContain(erins, fays);
  }

  /** An app that consumes devices has its broker account from its deployment, bound or not, until it is deleted. */
  @Test
  void aServiceThatConsumesDevicesIsDeclaredToTheRegistryWhenDeployedUntilDeleted() {
    assertThat(registryView().services()).contains("plant").doesNotContain("plain");
    created(owner.post("/api/v1/services", Api.JSON, service("declared", ", \"bindings\": [{\"type\": \"valve\"}]")));
    assertThat(registryView().services()).contains("declared");

    assertThat(owner.delete("/api/v1/services/declared").status()).isEqualTo(202);
    assertThat(registryView().services()).doesNotContain("declared");
  }

  /**
   * A new version that no longer consumes a type is a 409 while a binding binds a device of it (no
   * binding outlives what its app consumes); unbound, it rolls, and a version that consumes nothing
   * takes the service's broker account away.
   */
  @Test
  void aNewVersionThatNoLongerConsumesABoundTypeIsRefusedUntilUnbound() {
    created(owner.post("/api/v1/services", Api.JSON, service("changing", ", \"bindings\": [{\"type\": \"valve\"}]")));
    String binding = created(erin.post("/api/v1/services/changing/bindings", Api.JSON, bind("v-1"))).path("id").asText();

    Api.Answer refused = owner.put("/api/v1/services/changing", Api.JSON, service("changing", ""));
    refused.problem(409);
    assertThat(refused.json().path("detail").asText()).contains("binding " + binding + " binds device \"v-1\" of type"
        + " \"valve\"", "unbind it first");
    assertThat(owner.get("/api/v1/services/changing").json().path("version").asInt()).as("nothing rolled").isEqualTo(1);
    assertThat(registryView().services()).contains("changing");

    assertThat(erin.delete("/api/v1/services/changing/bindings/" + binding).status()).isEqualTo(204);
    Api.Answer rolled = owner.put("/api/v1/services/changing", Api.JSON, service("changing", ""));
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(rolled.json().path("version").asInt()).isEqualTo(2);
    assertThat(registryView().services()).as("no account once it consumes nothing").doesNotContain("changing");
    assertThat(owner.delete("/api/v1/services/changing").status()).isEqualTo(202);
  }

  private RegistryView registryView() {
    TestProbe<RegistryView> view = cluster.testKit.createTestProbe();
    cluster.deviceRegistry.tell(new DeviceRegistry.GetView(view.getRef()));
    return view.receiveMessage();
  }

  @Test
  void aDeletedServicesBindingsGoWithIt() {
    created(owner.post("/api/v1/services", Api.JSON, service("short-lived", ", \"bindings\": [{\"type\": \"valve\"}]")));
    created(erin.post("/api/v1/services/short-lived/bindings", Api.JSON, bind("v-1")));
    assertThat(erin.get("/api/v1/devices/v-1").json().path("boundTo")).extracting(JsonNode::asText).contains("short-lived");

    assertThat(owner.delete("/api/v1/services/short-lived").status()).isEqualTo(202);

    assertThat(erin.get("/api/v1/devices/v-1").json().path("boundTo")).extracting(JsonNode::asText)
        .doesNotContain("short-lived");
  }
}
