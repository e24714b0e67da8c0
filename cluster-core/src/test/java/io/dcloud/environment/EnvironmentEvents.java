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

  /** A request for a small environment named {@code name}, with no owner. */
  public static EnvironmentEntity.Requested requested(String name, Instant at) {
    EnvironmentSpec spec = new EnvironmentSpec(name, "1", "tiny", null, List.of(), new Resources(1000, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);
    return new EnvironmentEntity.Requested(spec, new ImageRecipe("dcloud/env-tiny:1", "busybox", "FROM busybox\n"), at);
  }
}
