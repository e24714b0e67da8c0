package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica's spec carries what placement must know of its service: its name, and whether spreading is required. */
class ReplicaSpecTest {
  private static final EnvironmentSpec SPEC = new EnvironmentSpec("web", "1", "debian", null, List.of(),
      new Resources(500, 256L << 20, 0, 0, null), List.of(), List.of(), List.of(), List.of("httpd"), Map.of(), Map.of(),
      EnvironmentSpec.RestartPolicy.ON_FAILURE, Map.of(), null, null);

  @Test
  void aReplicaOfAServiceThatRequiresSpreadingSaysSoAndOneThatPrefersItSaysNothing() {
    ServiceDefinition required = new ServiceDefinition("ha", ServiceDefinition.Kind.APP, SPEC, (ImageRecipe) null, 8000,
        new ServiceDefinition.Readiness("/ready"), 2, null, List.of(), 1, ServiceDefinition.Spread.REQUIRED);
    ServiceDefinition preferred = new ServiceDefinition("soft", ServiceDefinition.Kind.APP, SPEC, (ImageRecipe) null, 8000,
        new ServiceDefinition.Readiness("/ready"), 2, null, List.of(), 1, ServiceDefinition.Spread.PREFERRED);

    EnvironmentSpec apart = Reconciliation.replicaSpec(required, 1);
    EnvironmentSpec together = Reconciliation.replicaSpec(preferred, 0);

    assertThat(apart.name()).isEqualTo("ha-1");
    assertThat(apart.service().name()).isEqualTo("ha");
    assertThat(apart.service().spreadRequired()).isTrue();
    assertThat(together.service().spreadRequired()).as("as in specs from before: null").isNull();
    assertThat(required.sameVersionAs(required.withReplicas(5))).isTrue();
    assertThat(required.sameVersionAs(new ServiceDefinition("ha", ServiceDefinition.Kind.APP, SPEC, null, 8000,
        new ServiceDefinition.Readiness("/ready"), 2, null, List.of(), 1))).as("a change of spread is a new version").isFalse();
  }
}
