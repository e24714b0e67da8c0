package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.node.NodePeers.Claim;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an environment answers a node that finds its container at start: whether it wants it, and since when it runs. */
class EnvironmentsForNodesTest {
  private static final Instant PLACED = Instant.parse("2026-12-07T08:00:00Z");
  private static final Instant RUNNING = Instant.parse("2026-12-07T08:00:05Z");
  private static final EnvironmentSpec SPEC = new EnvironmentSpec("trainer", "1", "debian", null, List.of(),
      new Resources(1000, 1L << 30, 0, 0, null), List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(),
      EnvironmentSpec.RestartPolicy.NEVER);

  private static EnvironmentState running() {
    return EnvironmentState.empty("e1")
        .apply(new EnvironmentEntity.Requested(SPEC, new ImageRecipe("t", "b", "FROM b\n"), PLACED), 100)
        .apply(new EnvironmentEntity.PlacedOnNode("n1", List.of(), PLACED), 100)
        .apply(new EnvironmentEntity.ContainerRunning("c1", List.of(), RUNNING), 100);
  }

  @Test
  void aRunningEnvironmentClaimsItsContainerWithWhenItBeganRunning() {
    Claim claim = EnvironmentsForNodes.claimOf(new EnvironmentEntity.Ok(running().view()), "e1", "n1");
    assertThat(claim.wanted()).isTrue();
    assertThat(claim.spec()).isEqualTo(SPEC);
    assertThat(claim.runningSince()).isEqualTo(RUNNING);
  }

  @Test
  void anotherNodesContainerOrOneNotRunningSaysNoTime() {
    assertThat(EnvironmentsForNodes.claimOf(new EnvironmentEntity.Ok(running().view()), "e1", "n2"))
        .isEqualTo(new Claim(false, List.of(), null, null));
    EnvironmentState stopping = running().apply(new EnvironmentEntity.StopRequested(RUNNING.plusSeconds(60), "ana", null), 100);
    Claim claim = EnvironmentsForNodes.claimOf(new EnvironmentEntity.Ok(stopping.view()), "e1", "n1");
    assertThat(claim.wanted()).isTrue();
    assertThat(claim.runningSince()).isNull();
  }
}
