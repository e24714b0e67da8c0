package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.GoldenSamples;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a write announces (its new history steps, as live status updates and INFO lines) is counted
 * by {@link EnvironmentState#addsStep}: here every kind of event, one sample each (the golden
 * files'), is folded into a running environment and must add a step exactly when it says it does.
 * One that changed the state alone but claimed a step had a write re-announce an older step (a
 * replica's readiness repeated "running as container …" to every watcher).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryStepsTest {
  private static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");

  private final ActorTestKit testKit = ActorTestKit.create("history-steps", ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyEventAddsAHistoryStepExactlyWhenItSaysItDoes() {
    EnvironmentSpec spec = new EnvironmentSpec("demo", "1", "debian", null, List.of(), new Resources(500, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ALWAYS);
    EnvironmentState running = EnvironmentState.empty("e1")
        .apply(new EnvironmentEntity.Requested(spec, new ImageRecipe("t", "b", "FROM b\n"), AT), 100)
        .apply(new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT), 100)
        .apply(new EnvironmentEntity.ContainerRunning("c1", List.of(), AT), 100);

    Set<Class<?>> folded = new HashSet<>();
    for (Map.Entry<String, Object> sample : GoldenSamples.all(testKit.system()).entrySet()) {
      if (sample.getValue() instanceof EnvironmentEntity.Event event) {
        int added = running.apply(event, 100).steps().size() - running.steps().size();
        assertThat(added).as(sample.getKey()).isEqualTo(EnvironmentState.addsStep(event) ? 1 : 0);
        folded.add(event.getClass());
      }
    }
    assertThat(folded).as("every kind of event").containsExactlyInAnyOrder(EnvironmentEntity.Event.class.getPermittedSubclasses());
  }
}
