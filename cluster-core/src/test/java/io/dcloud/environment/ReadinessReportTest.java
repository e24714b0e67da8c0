package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.dcloud.spec.ServiceBinding;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A service replica's readiness, as its node reports it, in the environment's state and view. */
class ReadinessReportTest {
  private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  private static final List<PublishedPort> PORTS = List.of(new PublishedPort(8080, "tcp", "127.0.0.1", 32768));

  private static EnvironmentState running(ServiceBinding service) {
    EnvironmentSpec spec = new EnvironmentSpec("web-0", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(new EnvironmentSpec.PortSpec(null, 8080, "tcp")), List.of(), List.of(), Map.of(), Map.of(),
        EnvironmentSpec.RestartPolicy.ON_FAILURE, Map.of(), null, service);
    EnvironmentState state = EnvironmentState.empty("e1");
    for (EnvironmentEntity.Event event : List.of(
        new EnvironmentEntity.Requested(spec, RECIPE, AT, "alice"),
        new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT),
        new EnvironmentEntity.ContainerRunning("c1", PORTS, AT))) {
      state = state.apply(event, 100);
    }
    return state;
  }

  private static final String ANSWERED_503 = "not ready: GET /ready answered 503";

  private static ContainerReport ready(String containerId, boolean ready) {
    return probed(containerId, ready, ready ? "ready" : ANSWERED_503);
  }

  private static ContainerReport probed(String containerId, boolean ready, String message) {
    return new ContainerReport("n1", ContainerPhase.RUNNING, containerId, PORTS, null, false, message, null, ready);
  }

  @Test
  void aReplicaIsNotReadyUntilItsNodeSaysSoAndOnlyAChangeIsRecorded() {
    EnvironmentState state = running(new ServiceBinding("web", 8080, "/ready"));
    assertThat(state.view().ready()).isFalse();

    EnvironmentEntity.Event event = Transitions.report(state, ready("c1", true), AT, EnvironmentEntityFixture.RESTART_BACKOFF).get(0);
    assertThat(event).isEqualTo(new EnvironmentEntity.ReadinessChanged(true, AT));
    EnvironmentState readyState = state.apply(event, 100);
    assertThat(readyState.view().ready()).isTrue();
    assertThat(readyState.view().history()).hasSameSizeAs(state.view().history());

    assertThat(Transitions.report(readyState, ready("c1", true), AT, EnvironmentEntityFixture.RESTART_BACKOFF)).isEmpty();
    assertThat(Transitions.report(readyState, ready("c1", false), AT, EnvironmentEntityFixture.RESTART_BACKOFF))
        .containsExactly(new EnvironmentEntity.ReadinessChanged(false, AT, ANSWERED_503));
  }

  /**
   * While a replica runs but is not ready its reason says why, as its node's probe does (what a
   * service's replica table and a roll's wait show); a new why is recorded, the same one not again,
   * and ready it has none.
   */
  @Test
  void whileNotReadyItsReasonSaysWhyAndANewWhyIsRecorded() {
    EnvironmentState state = running(new ServiceBinding("web", 8080, "/ready"));
    String refused = "not ready: GET /ready: Connection refused";

    EnvironmentState starting = state.apply(
        Transitions.report(state, probed("c1", false, refused), AT, EnvironmentEntityFixture.RESTART_BACKOFF).get(0), 100);
    assertThat(starting.view().reason()).isEqualTo(refused);
    assertThat(starting.view().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(Transitions.report(starting, probed("c1", false, refused), AT, EnvironmentEntityFixture.RESTART_BACKOFF))
        .as("the same why").isEmpty();

    EnvironmentState answering = starting.apply(
        Transitions.report(starting, ready("c1", false), AT, EnvironmentEntityFixture.RESTART_BACKOFF).get(0), 100);
    assertThat(answering.view().reason()).isEqualTo(ANSWERED_503);
    assertThat(answering.view().history()).as("no step of its own").hasSameSizeAs(state.view().history());

    EnvironmentState readyState = answering.apply(
        Transitions.report(answering, ready("c1", true), AT, EnvironmentEntityFixture.RESTART_BACKOFF).get(0), 100);
    assertThat(readyState.view().ready()).isTrue();
    assertThat(readyState.view().reason()).isNull();
  }

  @Test
  void aNewContainerStartsNotReadyAndAStoppingOneIsNotReady() {
    EnvironmentState readyState = running(new ServiceBinding("web", 8080, "/")).apply(new EnvironmentEntity.ReadinessChanged(true, AT), 100);

    assertThat(readyState.apply(new EnvironmentEntity.ContainerRunning("c2", PORTS, AT), 100).view().ready()).isFalse();
    assertThat(readyState.apply(new EnvironmentEntity.StopRequested(AT, "alice"), 100).view().ready()).isFalse();
  }

  @Test
  void anEnvironmentThatIsNoReplicaHasNoReadiness() {
    EnvironmentState state = running(null);

    assertThat(state.view().ready()).isNull();
    assertThat(Transitions.report(state, new ContainerReport("n1", ContainerPhase.RUNNING, "c1", PORTS, null, false, "running"), AT, EnvironmentEntityFixture.RESTART_BACKOFF))
        .isEmpty();
  }
}
