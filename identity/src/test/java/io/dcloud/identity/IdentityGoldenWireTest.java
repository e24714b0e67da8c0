package io.dcloud.identity;

import io.dcloud.serialization.GoldenWireTestBase;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The identity module's persisted and wire types against its golden files (see {@link GoldenWireTestBase}). */
class IdentityGoldenWireTest extends GoldenWireTestBase {
  @Override
  protected Map<String, Object> samples(ActorSystem<?> system) {
    return IdentityGoldenSamples.all(system);
  }

  @Override
  protected List<Class<?>> persistedInterfaces() {
    return IdentityGoldenSamples.PERSISTED_INTERFACES;
  }
}
