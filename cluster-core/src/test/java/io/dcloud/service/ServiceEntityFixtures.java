package io.dcloud.service;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** What the service entity's tests share: a local actor system on the in-memory journal, and a tiny replica. */
final class ServiceEntityFixtures {
  private ServiceEntityFixtures() {}

  /** Every message serialized, as between nodes. */
  static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.actor.serialize-messages = on
          """))
      .withFallback(ConfigFactory.load());
  static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  static final EnvironmentSpec SPEC = new EnvironmentSpec(null, "1", "tiny", null, List.of(),
      new Resources(500, 64L << 20, 0, 0, null), List.of(), List.of(new EnvironmentSpec.PortSpec(null, 80, "tcp")),
      List.of(), List.of("httpd", "-f"), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ON_FAILURE);
}
