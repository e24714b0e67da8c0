package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.ServiceBinding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which idle-timeout applies to an environment. */
class IdleSettingsTest {
  private static final IdleSettings SETTINGS = new IdleSettings(Duration.ofMinutes(30), Duration.ofHours(2), 5.0, Duration.ofSeconds(30));

  private static EnvironmentSpec spec(Duration idleTimeout, ServiceBinding service) {
    return new EnvironmentSpec("e", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null), List.of(),
        List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER, Map.of(), idleTimeout, service);
  }

  @Test
  void anEnvironmentGetsItsOwnTimeoutOrTheDefaultAtMostTheCap() {
    assertThat(SETTINGS.timeoutOf(spec(null, null))).isEqualTo(Duration.ofMinutes(30));
    assertThat(SETTINGS.timeoutOf(spec(Duration.ofDays(1), null))).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void aServiceReplicaIsNeverCulled() {
    assertThat(SETTINGS.timeoutOf(spec(Duration.ofMinutes(5), new ServiceBinding("web", 8080, "/")))).isNull();
  }
}
