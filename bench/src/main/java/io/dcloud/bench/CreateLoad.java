package io.dcloud.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.DockerfileGenerator;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The load a run sends: environments as users write them, sent on a fixed schedule. */
final class CreateLoad {
  private CreateLoad() {}

  /** One create: the spec and recipe a gateway would have parsed and generated for a request. */
  record Create(EnvironmentSpec spec, ImageRecipe recipe) {}

  /**
   * Environments as users send them, each parsed from its own JSON like the gateway does, so that
   * nothing is shared between entities that would not be shared in production.
   */
  static List<Create> specs(Catalog catalog, SpecLimits limits, int count, int gpuEvery) {
    ObjectMapper json = new ObjectMapper();
    Resources defaults = new Resources(1000, 1L << 30, 0, 0, null);
    List<Create> creates = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ObjectNode contract = json.createObjectNode();
      contract.put("env-name", "bench-" + i);
      contract.put("os", "debian");
      contract.putArray("languages").addObject().put("language-name", "python").putArray("libraries").add("numpy");
      ObjectNode resources = contract.putObject("resources");
      resources.put("cpu", "0.25");
      resources.put("ram", "512M");
      resources.put("gpu", gpuEvery > 0 && i % gpuEvery == 0 ? "1" : "0");
      // Through bytes, as a request body arrives: every string of the spec is then its own copy.
      EnvironmentSpec spec = EnvironmentSpecParser.parse(throughBytes(json, contract), defaults, limits);
      creates.add(new Create(spec, DockerfileGenerator.generate(catalog, spec)));
    }
    return creates;
  }

  private static JsonNode throughBytes(ObjectMapper json, ObjectNode contract) {
    try {
      return json.readTree(json.writeValueAsBytes(contract));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the creates at {@code rate} per second on a fixed schedule (open loop: a slow system does not slow the sender). */
  static void send(
      ActorSystem<?> system, String prefix, List<Create> creates, Timeline timeline, int rate,
      ActorRef<EnvironmentEntity.Reply> acks) {
    ClusterSharding sharding = ClusterSharding.get(system);
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    for (int i = 0; i < creates.size(); i++) {
      long due = start + i * interval;
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      Create create = creates.get(i);
      timeline.sent[i] = now;
      timeline.sentCount.incrementAndGet();
      // New ids, as the gateway's random ones: every run starts on an empty journal.
      sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, PlacementBenchmark.environmentId(prefix, i))
          .tell(new EnvironmentEntity.Create(create.spec(), create.recipe(), acks, null, null, true));
    }
  }

  /** Sends again each create not accepted yet (the same spec again is the same environment). */
  static void resendUnaccepted(
      ActorSystem<?> system, List<Create> creates, Timeline timeline, ActorRef<EnvironmentEntity.Reply> acks) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (int i = 0; i < creates.size(); i++) {
      if (timeline.accepted[i] == 0) {
        Create create = creates.get(i);
        sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, PlacementBenchmark.environmentId(PlacementBenchmark.RUN_PREFIX, i))
            .tell(new EnvironmentEntity.Create(create.spec(), create.recipe(), acks));
      }
    }
  }
}
