package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.spec.PublishedPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The NodeActor's reconciliation on start, like kubelet's: it adopts the containers still wanted,
 * removes orphans, reports exited and missing ones, and leaves a container being deployed to its
 * deploy. Over the {@link NodeActorFixture}.
 */
class NodeReconciliationTest extends NodeActorFixture {
  @Test
  void onStartItAdoptsRemovesOrphansAndReportsExitedAndMissingContainers() {
    String adopted = seed("adopted", List.of());
    runtime.start(adopted);
    String orphan = seed("orphan", List.of(new VolumeMount(volume("orphan", 0), "/scratch")));
    runtime.start(orphan);
    String exited = seed("exited", List.of());
    runtime.start(exited);
    runtime.exit(exited, 2, false);

    spawnNode();
    Map<String, ClaimAsked> claims = new HashMap<>();
    for (ClaimAsked asked : peers.claims.receiveSeveralMessages(3, WAIT)) {
      assertThat(asked.nodeId()).isEqualTo(nodeId);
      claims.put(asked.environmentId(), asked);
    }
    assertThat(claims).containsOnlyKeys("adopted", "orphan", "exited");
    claims.get("adopted").answer().complete(new NodePeers.Claim(true, List.of(), null));
    claims.get("exited").answer().complete(new NodePeers.Claim(true, List.of(), null));
    claims.get("orphan").answer().complete(new NodePeers.Claim(false, List.of(volume("orphan", 0)), null));
    placedOnNode(List.of("adopted", "exited", "placed-only"));

    Map<String, ContainerReport> reports = new HashMap<>();
    peers.reports.receiveSeveralMessages(4, WAIT).forEach(r -> reports.put(r.environmentId(), r.report()));
    assertThat(reports.get("adopted")).satisfies(r -> {
      assertThat(r.phase()).isEqualTo(ContainerPhase.RUNNING);
      assertThat(r.message()).contains("adopted");
      assertThat(r.ports()).containsExactly(new PublishedPort(8888, "tcp", "127.0.0.1", 49152));
    });
    assertThat(reports.get("exited")).satisfies(r -> {
      assertThat(r.phase()).isEqualTo(ContainerPhase.EXITED);
      assertThat(r.exitCode()).isEqualTo(2);
    });
    assertThat(reports.get("orphan").phase()).isEqualTo(ContainerPhase.REMOVED);
    assertThat(reports.get("placed-only").phase()).isEqualTo(ContainerPhase.MISSING);
    assertThat(runtime.inspect(orphan)).isEmpty();
    assertThat(runtime.volumeExists(volume("orphan", 0))).isFalse();
    assertThat(runtime.inspect(adopted)).get().extracting(ContainerInfo::running).isEqualTo(true);
  }

  /**
   * The listing on start can see a container its deploy has created and not yet started: adopting
   * it as listed reported it "exited while DCloud was down" (IdleCullingTest's failure in CI, the
   * idle clock then never started). The deploy's own report stands.
   */
  @Test
  void onStartAContainerBeingDeployedIsLeftToItsDeploy() throws Exception {
    ScriptedRuntime.Gate listing = runtime.hold("listManaged");
    ScriptedRuntime.Gate start = runtime.hold("start");
    spawnNode();
    node.tell(deploy("deploying"));
    start.awaitReached(WAIT);
    listing.awaitReached(WAIT);

    listing.release();
    placedOnNode(List.of("deploying"));
    start.release();

    expectReport("deploying", ContainerPhase.RUNNING);
    peers.claims.expectNoMessage(QUIET);
    peers.reports.expectNoMessage(QUIET);
  }

  /**
   * An environment that does not answer about its container (its shard moving to the node just
   * back) is asked again until it does: the container was kept forever (ClusterIT's failure in CI).
   */
  @Test
  void onStartAnEnvironmentThatDoesNotAnswerIsAskedAgainUntilItDoes() {
    String unanswered = seed("unanswered", List.of());
    runtime.start(unanswered);

    spawnNode();
    ClaimAsked first = peers.claims.expectMessageClass(ClaimAsked.class, WAIT);
    assertThat(first.environmentId()).isEqualTo("unanswered");
    first.answer().completeExceptionally(new RuntimeException("Ask timed out"));
    placedOnNode(List.of());

    ClaimAsked again = peers.claims.expectMessageClass(ClaimAsked.class, WAIT);
    assertThat(again.environmentId()).isEqualTo("unanswered");
    again.answer().complete(new NodePeers.Claim(false, List.of(), null));

    assertThat(expectReport("unanswered", ContainerPhase.REMOVED).containerId()).isEqualTo(unanswered);
    assertThat(runtime.inspect(unanswered)).isEmpty();
  }

  /** A container of this node as a deploy before the restart left it (created, not started). */
  private String seed(String environmentId, List<VolumeMount> volumes) {
    return runtime.create(new ContainerSpec(
        EnvironmentNames.containerName(nodeId, environmentId), RECIPE.tag(), List.of("sleep", "infinity"), Map.of(), 0, 0, 0,
        List.of(), List.of(new PortBinding("127.0.0.1", null, 8888, "tcp")), volumes,
        Map.of(EnvironmentNames.ENV_LABEL, environmentId, EnvironmentNames.NODE_LABEL, nodeId), null));
  }
}
