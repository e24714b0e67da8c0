package io.dcloud.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.node.NodeProtocol;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node's volumes through the API where no worker runs: what the gateway answers for nodes it
 * cannot ask, bad filters, and how a volume's state follows from its environment. Listing and
 * removing on a real node: HousekeepingIT and CliIT (app module).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeVolumeApiTest {
  private static final NodeProtocol.Volume VOLUME =
      new NodeProtocol.Volume("dcloud-n1-e1-0", "e1", "/work", Instant.EPOCH, false, 4096L);

  private GatewayTestCluster cluster;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("NodeVolumeApiTest");
    api = Api.admin(cluster.base);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aNodeNobodyKnowsIsNotFoundAndOneTheSchedulerKnowsButCannotBeAskedIsUnavailable() {
    assertThat(api.get("/api/v1/nodes/no-such-node/volumes").problem(404).path("detail").asText())
        .contains("node no-such-node");
    assertThat(api.delete("/api/v1/nodes/no-such-node/volumes/dcloud-x").problem(404).path("detail").asText())
        .contains("node no-such-node");
    assertThat(api.delete("/api/v1/volumes/no-such-node/dcloud-x").problem(404).path("detail").asText())
        .contains("node no-such-node");

    cluster.gossip("gossip-only", new Resources(4000, 8L << 30, 0, 100L << 30, null), Map.of());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(api.get("/api/v1/nodes").body()).contains("\"gossip-only\""));
    assertThat(api.get("/api/v1/nodes/gossip-only/volumes").problem(503).path("detail").asText())
        .contains("node gossip-only is not reachable");
    // Every node's volumes: one that cannot be asked is named, not a failure of the whole listing.
    Api.Answer everywhere = api.get("/api/v1/volumes");
    assertThat(everywhere.status()).as(everywhere.body()).isEqualTo(200);
    assertThat(everywhere.json().path("unreachable").toString()).contains("\"gossip-only\"");
    assertThat(everywhere.json().path("volumes").isArray()).isTrue();
  }

  /** {@code GET /nodes/{id}}: one node as the list shows it to the caller; a node nobody knows is a 404. */
  @Test
  void oneNodeIsShownAsTheListShowsItToTheCaller() {
    cluster.gossip("shown-node", new Resources(2000, 4L << 30, 0, 50L << 30, null), Map.of("zone", "a"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(api.get("/api/v1/nodes/shown-node").status()).isEqualTo(200));
    Api scientist = api.newUser("node-reader", "data-scientist");

    var asAdmin = api.get("/api/v1/nodes/shown-node").json();
    var asUser = scientist.get("/api/v1/nodes/shown-node").json();

    assertThat(asAdmin.path("id").asText()).isEqualTo("shown-node");
    assertThat(asAdmin.path("host").asText()).isEqualTo("host-shown-node");
    assertThat(asAdmin.path("capacity").path("cpus").asDouble()).isEqualTo(2.0);
    assertThat(asAdmin.path("labels").path("zone").asText()).isEqualTo("a");
    assertThat(asUser.has("host")).as("a user's summary names no host").isFalse();
    assertThat(asUser.has("environmentCount")).isFalse();
    assertThat(scientist.get("/api/v1/nodes/no-such-node").problem(404).path("detail").asText()).contains("node no-such-node");
  }

  @Test
  void anUnknownStateIsRefusedNamingTheField() {
    Api.Answer answer = api.get("/api/v1/nodes/no-such-node/volumes?state=LOST");
    answer.problem(400);
    assertThat(answer.errorFields()).containsExactly("state");
    Api.Answer everywhere = api.get("/api/v1/volumes?state=LOST");
    everywhere.problem(400);
    assertThat(everywhere.errorFields()).containsExactly("state");
  }

  @Test
  void aVolumeIsAttachedWhileItsEnvironmentIsOnItsNodeOrMayComeBackAndRemovableOnceItIsGoneOrMoved() {
    assertThat(state(view(EnvironmentStatus.RUNNING, "n1"))).isEqualTo(VolumeJson.State.ATTACHED);
    assertThat(state(view(EnvironmentStatus.STOPPED, "n1"))).isEqualTo(VolumeJson.State.ATTACHED);
    assertThat(state(view(EnvironmentStatus.QUEUED, null))).isEqualTo(VolumeJson.State.ATTACHED);
    assertThat(state(view(EnvironmentStatus.RUNNING, "n2"))).isEqualTo(VolumeJson.State.LEFT_BEHIND);
    assertThat(state(view(EnvironmentStatus.DELETED, "n1"))).isEqualTo(VolumeJson.State.ORPHANED);

    VolumeJson collected = VolumeJson.of(VOLUME, "n1", new EnvironmentDirectory.Unknown("e1"), null);
    assertThat(collected.state()).isEqualTo(VolumeJson.State.ORPHANED);
    assertThat(collected.removable()).isTrue();
    assertThat(collected.environment()).isNull();
    assertThat(collected.usedBytes()).as("what the node's engine said its files take").isEqualTo(4096L);
    VolumeJson moved = VolumeJson.of(VOLUME, "n1", new EnvironmentDirectory.Known(view(EnvironmentStatus.RUNNING, "n2"), null), null);
    assertThat(moved.removable()).isTrue();
    assertThat(moved.environment().node()).isEqualTo("n2");
    assertThat(moved.environment().owner()).isEqualTo("alice");
    VolumeJson mounted = VolumeJson.of(new NodeProtocol.Volume("dcloud-n1-e1-0", "e1", "/work", null, true, null), "n1",
        new EnvironmentDirectory.Unknown("e1"), null);
    assertThat(mounted.removable()).as("a container mounts it").isFalse();
    VolumeJson keptAgain = VolumeJson.of(VOLUME, "n1", new EnvironmentDirectory.Unknown("e1"), "e2");
    assertThat(keptAgain.state()).as("mounted again by another environment, container or not").isEqualTo(VolumeJson.State.ATTACHED);
    assertThat(keptAgain.removable()).isFalse();
    assertThat(keptAgain.mountedBy()).isEqualTo("e2");
    assertThat(VolumeJson.of(VOLUME, "n1", new EnvironmentDirectory.Known(view(EnvironmentStatus.RUNNING, "n1"), null),
        null).removable()).isFalse();
  }

  private static VolumeJson.State state(EnvironmentView view) {
    return VolumeJson.stateOf(view, "n1");
  }

  private static EnvironmentView view(EnvironmentStatus status, String node) {
    EnvironmentSpec spec = new EnvironmentSpec("nb", "1", "debian", null, List.of(), new Resources(1000, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER);
    return new EnvironmentView("e1", "nb", status, node, null, spec, null, List.of(), List.of(), List.of(), null, null,
        Instant.EPOCH, Instant.EPOCH, List.of(), "alice", List.of());
  }
}
