package io.dcloud.serialization;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** cluster-core's persisted and wire types against its golden files (see {@link GoldenWireTestBase}). */
class GoldenWireTest extends GoldenWireTestBase {
  @Override
  protected Map<String, Object> samples(ActorSystem<?> system) {
    return GoldenSamples.all(system);
  }

  @Override
  protected List<Class<?>> persistedInterfaces() {
    return GoldenSamples.PERSISTED_INTERFACES;
  }
}
