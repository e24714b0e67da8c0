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
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The load a run sends: environments as users write them, sent on a fixed schedule. */
final class CreateLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Resources DEFAULTS = new Resources(1000, 1L << 30, 0, 0, null);

  private CreateLoad() {}

  /** One create: the spec and recipe a gateway would have parsed and generated for a request. */
  record Create(EnvironmentSpec spec, ImageRecipe recipe) {}

  /**
   * Environments as users send them, each parsed from its own JSON like the gateway does, so that
   * nothing is shared between entities that would not be shared in production.
   */
  static List<Create> specs(Catalog catalog, SpecLimits limits, int count, int gpuEvery) {
    List<Create> creates = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      creates.add(create(catalog, limits, i, gpuEvery));
    }
    return creates;
  }

  /** The {@code index}th create of {@link #specs}, made again: the same index gives the same environment. */
  static Create create(Catalog catalog, SpecLimits limits, int index, int gpuEvery) {
    ObjectNode contract = JSON.createObjectNode();
    contract.put("env-name", "bench-" + index);
    contract.put("os", "debian");
    contract.putArray("languages").addObject().put("language-name", "python").putArray("libraries").add("numpy");
    ObjectNode resources = contract.putObject("resources");
    resources.put("cpu", "0.25");
    resources.put("ram", "512M");
    resources.put("gpu", gpuEvery > 0 && index % gpuEvery == 0 ? "1" : "0");
    // Through bytes, as a request body arrives: every string of the spec is then its own copy.
    EnvironmentSpec spec = EnvironmentSpecParser.parse(throughBytes(contract), DEFAULTS, limits);
    return new Create(spec, DockerfileGenerator.generate(catalog, spec));
  }

  private static JsonNode throughBytes(ObjectNode contract) {
    try {
      return JSON.readTree(JSON.writeValueAsBytes(contract));
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

  /**
   * Sends again, as a client whose create went unanswered would, each create not accepted yet (the
   * same create again is the same environment), once no create was accepted since the last call: a
   * create a failing journal refused, or one lost with a disturbed node, is never answered; one that
   * waits in a backlog is, and sending it again while answers still come would only add to the backlog.
   */
  static final class Resender implements Runnable {
    private final ActorSystem<?> system;
    private final IntFunction<Create> createAt;
    private final Timeline timeline;
    private final ActorRef<EnvironmentEntity.Reply> acks;
    private int acceptedBefore = -1;

    Resender(ActorSystem<?> system, IntFunction<Create> createAt, Timeline timeline, ActorRef<EnvironmentEntity.Reply> acks) {
      this.system = system;
      this.createAt = createAt;
      this.timeline = timeline;
      this.acks = acks;
    }

    @Override
    public void run() {
      int accepted = timeline.acceptedCount.get();
      boolean stalled = accepted == acceptedBefore;
      acceptedBefore = accepted;
      if (!stalled) {
        return;
      }
      ClusterSharding sharding = ClusterSharding.get(system);
      int resent = 0;
      for (int i = 0; i < timeline.size(); i++) {
        if (timeline.accepted[i] == 0) {
          Create create = createAt.apply(i);
          sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, PlacementBenchmark.environmentId(PlacementBenchmark.RUN_PREFIX, i))
              .tell(new EnvironmentEntity.Create(create.spec(), create.recipe(), acks));
          resent++;
        }
      }
      if (resent > 0) {
        System.out.printf("bench: nothing accepted since the last look; sent %d unaccepted creates again%n", resent);
      }
    }
  }
}
