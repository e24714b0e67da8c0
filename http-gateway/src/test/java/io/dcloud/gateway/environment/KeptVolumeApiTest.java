package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A create mounting a kept volume ({@code storage[].volume}) through the API where no worker runs:
 * what is refused before any node is asked, whose volumes a user may name, and what a node that
 * cannot be asked answers. Mounting one for real, its files back: HousekeepingIT (app module).
 */
class KeptVolumeApiTest {
  private static final String CREATE = "/api/v1/environments";
  private static GatewayTestCluster cluster;
  private static Api admin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("KeptVolumeApiTest");
    admin = Api.admin(cluster.base);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The debian example mounting {@code volume} at /data, with {@code lifecycle} unless null. */
  private static String mounting(String name, String volume, String lifecycle) {
    ObjectNode config = (ObjectNode) Api.parse(Seeds.debianEnvironment(name));
    ObjectNode entry = config.putArray("storage").addObject().put("target", "/data").put("volume", volume);
    if (lifecycle != null) {
      entry.put("lifecycle", lifecycle);
    }
    return Api.write(config);
  }

  @Test
  void aNameDcloudDidNotMakeATemporaryLifecycleOrTheSameVolumeTwiceIsRefusedNamingTheField() {
    Api.Answer foreign = admin.post(CREATE, Api.JSON, mounting("kv-foreign", "my-data", null));
    assertThat(foreign.problem(422).path("errors").toString()).contains("is not a DCloud volume");
    assertThat(foreign.errorFields()).containsExactly("storage[0].volume");

    Api.Answer temporary = admin.post(CREATE, Api.JSON, mounting("kv-temporary", "dcloud-n1-x-0", "temporary"));
    temporary.problem(422);
    assertThat(temporary.errorFields()).containsExactly("storage[0].lifecycle");

    Api.Answer unnamed = admin.post(CREATE, Api.JSON, mounting("kv-unnamed", "dcloud-n1-x-0", null));
    assertThat(unnamed.problem(422).path("errors").get(0).path("reason").asText())
        .contains("is no volume an environment kept");
    assertThat(unnamed.errorFields()).containsExactly("storage[0].volume");

    ObjectNode twice = (ObjectNode) Api.parse(mounting("kv-twice", "dcloud-n1-x-0", null));
    ((ArrayNode) twice.path("storage")).addObject().put("target", "/again").put("volume", "dcloud-n1-x-0");
    Api.Answer both = admin.post(CREATE, Api.JSON, Api.write(twice));
    both.problem(422);
    assertThat(both.errorFields()).containsExactly("storage[1].volume");
  }

  @Test
  void anotherUsersVolumeIsAnsweredAsNoneAndACollectedEnvironmentsOnlyAnAdminMayName() {
    Api ada = admin.newUser("kv-ada", "data-scientist");
    Api bob = admin.newUser("kv-bob", "data-scientist");
    Api.Answer made = ada.post(CREATE, Api.JSON, Seeds.debianEnvironment("kv-adas"));
    assertThat(made.status()).as(made.body()).isEqualTo(202);
    String adas = "dcloud-kv-node-" + made.json().path("id").asText() + "-0";

    Api.Answer notBobs = bob.post(CREATE, Api.JSON, mounting("kv-bobs", adas, null));
    assertThat(notBobs.problem(422).path("errors").get(0).path("reason").asText())
        .isEqualTo("no volume of kv-bob's is named \"" + adas + "\"");

    String collected = "dcloud-kv-node-" + UUID.randomUUID() + "-0";
    assertThat(ada.post(CREATE, Api.JSON, mounting("kv-collected", collected, null)).problem(422)
        .path("errors").get(0).path("reason").asText()).contains("only an admin may mount");
    assertThat(admin.post(CREATE, Api.JSON, mounting("kv-collected", collected, null)).problem(422)
        .path("errors").get(0).path("reason").asText()).contains("is not in the cluster now");
  }

  @Test
  void aVolumeOnANodeThatCannotBeAskedIsUnavailableAndDryRunsCheckAsCreates() {
    cluster.gossip("kv-node", new Resources(4000, 8L << 30, 0, 100L << 30, null), Map.of());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(admin.get("/api/v1/nodes").body()).contains("\"kv-node\""));
    Api.Answer made = admin.post(CREATE, Api.JSON, Seeds.debianEnvironment("kv-made"));
    assertThat(made.status()).as(made.body()).isEqualTo(202);
    String volume = "dcloud-kv-node-" + made.json().path("id").asText() + "-0";

    assertThat(admin.post(CREATE, Api.JSON, mounting("kv-unasked", volume, null)).problem(503).path("detail").asText())
        .contains("node kv-node, which holds volume " + volume);
    assertThat(admin.post(CREATE + "?dryRun=true", Api.JSON, mounting("kv-unasked", volume, null)).problem(503)
        .path("detail").asText()).contains("cannot list its volumes now");
  }
}
