package io.dcloud.environment;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Environment events for the read side's tests (here and in the modules that test it on Cassandra). */
public final class EnvironmentEvents {
  private EnvironmentEvents() {}

  private static final ImageRecipe TINY = new ImageRecipe("dcloud/env-tiny:1", "busybox", "FROM busybox\n");

  /** A request for a small environment named {@code name}, with no owner. */
  public static EnvironmentEntity.Requested requested(String name, Instant at) {
    return new EnvironmentEntity.Requested(spec(name, new Resources(1000, 1L << 30, 0, 0, null)), TINY, at);
  }

  /**
   * The events of {@code owner}'s environment holding {@code resources} whose container ran from
   * {@code from} until its owner stopped it at {@code to} (placed and started a minute before).
   */
  public static List<EnvironmentEntity.Event> ran(String name, String owner, Resources resources, Instant from, Instant to) {
    Instant asked = from.minusSeconds(60);
    return List.of(
        new EnvironmentEntity.Requested(spec(name, resources), TINY, asked, owner),
        new EnvironmentEntity.PlacedOnNode("node-1", List.of(), asked),
        new EnvironmentEntity.ContainerStarting(asked, null),
        new EnvironmentEntity.ContainerRunning("container-" + name, List.of(), from),
        new EnvironmentEntity.StopRequested(to, owner, null, null),
        new EnvironmentEntity.Stopped("stopped", to, owner, null));
  }

  private static EnvironmentSpec spec(String name, Resources resources) {
    return new EnvironmentSpec(name, "1", "tiny", null, List.of(), resources,
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);
  }
}
