package io.dcloud.bench;

import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.SpecLimits;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The measured part of a placement run, inside a process {@link PlacementBenchmark} has started:
 * wait for the hollow nodes, warm up, send the creates at the set rate while timing every answer
 * and status change, then check the scheduler's reservations and (with {@code --memory}) weigh the
 * heap. Kept apart from the start and stop of Cassandra and the process, so that each reads on its own.
 */
final class PlacementRun {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  static final Duration POLL = Duration.ofMillis(500);
  /** Creates before the measured run: they bring up the shards and the paths to every node. */
  private static final int WARM_UP_CREATES = 200;

  private PlacementRun() {}

  /** Measures one run on the started {@code system}; what went wrong is in the report's violations. */
  static PlacementReport measure(
      ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, PlacementOptions options, ProcessHandle cassandra,
      Disturbance disturbance) {
    awaitNodes(system, scheduler, options.nodes(), options.timeout());

    Catalog catalog = DefaultCatalog.load();
    SpecLimits limits = SpecLimits.fromConfig(system.settings().config());
    Timeline timeline = new Timeline(options.creates());
    // Subscribed before the warm-up, so the subscription has spread through the receptionist when the run starts.
    ActorRef<Topic.Command<EnvironmentUpdate>> updates = system.systemActorOf(
        Topic.create(EnvironmentUpdate.class, EnvironmentUpdate.TOPIC_NAME), "bench-updates", Props.empty());
    updates.tell(Topic.subscribe(system.systemActorOf(statusCollector(timeline), "bench-statuses", Props.empty())));
    ActorRef<EnvironmentEntity.Reply> acks = system.systemActorOf(acceptCollector(timeline), "bench-acks", Props.empty());

    System.out.printf("bench: %d hollow nodes up; warming up with %d creates%n", options.nodes(), WARM_UP_CREATES);
    List<CreateLoad.Create> warmUp = CreateLoad.specs(catalog, limits, WARM_UP_CREATES, options.gpuEvery());
    CreateLoad.send(system, PlacementBenchmark.WARM_UP_PREFIX, warmUp, new Timeline(WARM_UP_CREATES), WARM_UP_CREATES,
        system.ignoreRef());
    awaitWarmUp(system, options.timeout());

    HeapUse memory = new HeapUse();
    if (options.memory()) {
      memory.baseline = HeapUse.usedHeapAfterGc();
    }
    List<CreateLoad.Create> creates = CreateLoad.specs(catalog, limits, options.creates(), options.gpuEvery());

    CpuUse cpu = CpuUse.start(cassandra);
    System.out.printf("bench: %d creates at %d/s over %d nodes%n", options.creates(), options.rate(), options.nodes());
    Disturbance.Running disturbed = Disturbance.Running.start(disturbance, cassandra);
    CreateLoad.send(system, PlacementBenchmark.RUN_PREFIX, creates, timeline, options.rate(), acks);
    List<String> violations = new ArrayList<>(disturbed.awaitEnd());
    // The entities hold the specs now: only they count in the heap. One sent again is made again.
    creates = null;
    boolean complete = awaitRunning(timeline, options.timeout(), "run", new CreateLoad.Resender(
        system, index -> CreateLoad.create(catalog, limits, index, options.gpuEvery()), timeline, acks));
    CpuUse.Used used = cpu.stop();

    violations.addAll(checkReservations(system, scheduler, options, timeline));
    if (!complete) {
      violations.add(String.format("only %d of %d environments became RUNNING within %s",
          timeline.runningCount.get(), options.creates(), options.timeout()));
    }
    if (timeline.repeated.get() > 0) {
      violations.add(timeline.repeated.get() + " environments were placed or started more than once");
    }
    if (options.memory()) {
      HeapUse.weigh(system, memory, options);
      HeapUse.weighReadSide(system, memory, WARM_UP_CREATES + options.creates(), options.timeout());
    }
    return new PlacementReport(options, timeline, used, options.memory() ? memory : null, violations);
  }

  private static Behavior<EnvironmentUpdate> statusCollector(Timeline timeline) {
    return Behaviors.receive((context, update) -> {
      int index = PlacementBenchmark.indexOf(PlacementBenchmark.RUN_PREFIX, update.environmentId());
      if (index < 0 || update.kind() != EnvironmentUpdate.Kind.STATUS) {
        return Behaviors.same();
      }
      long now = System.nanoTime();
      switch (update.status()) {
        case "PLACED" -> timeline.mark(timeline.placed, timeline.placedCount, index, now);
        case "RUNNING" -> timeline.mark(timeline.running, timeline.runningCount, index, now);
        case "FAILED" -> timeline.refused.incrementAndGet();
        default -> {}
      }
      return Behaviors.same();
    });
  }

  private static Behavior<EnvironmentEntity.Reply> acceptCollector(Timeline timeline) {
    return Behaviors.receive((context, reply) -> {
      int index = reply instanceof EnvironmentEntity.Ok ok ? PlacementBenchmark.indexOf(PlacementBenchmark.RUN_PREFIX, ok.view().id()) : -1;
      // A create sent again (see resendUnaccepted) is answered again: the first answer counts.
      if (index >= 0 && timeline.accepted[index] == 0) {
        timeline.mark(timeline.accepted, timeline.acceptedCount, index, System.nanoTime());
      }
      return Behaviors.same();
    });
  }

  /**
   * Waits (printing progress, and running {@code everyProgress} as often) until every environment
   * of the timeline runs; false on timeout.
   */
  private static boolean awaitRunning(Timeline timeline, Duration timeout, String what, Runnable everyProgress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
    while (timeline.runningCount.get() < timeline.size()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      if (System.nanoTime() > nextProgress) {
        System.out.printf("bench: %s: sent %d, accepted %d, placed %d, running %d%n", what,
            timeline.sentCount.get(), timeline.acceptedCount.get(), timeline.placedCount.get(), timeline.runningCount.get());
        nextProgress += PROGRESS_EVERY.toNanos();
        everyProgress.run();
      }
      LockSupport.parkNanos(POLL.toNanos() / 10);
    }
    return true;
  }

  private static void awaitNodes(ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, int expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      seen = nodes(system, scheduler).size();
      if (seen >= expected) {
        return;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
    throw new IllegalStateException("the scheduler saw only " + seen + " of " + expected + " hollow nodes within " + timeout);
  }

  /** Asks each warm-up environment until all run (the first creates also bring the shards up). */
  private static void awaitWarmUp(ActorSystem<?> system, Duration timeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < WARM_UP_CREATES; i++) {
      String id = PlacementBenchmark.environmentId(PlacementBenchmark.WARM_UP_PREFIX, i);
      while (true) {
        EnvironmentEntity.Reply reply = sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id)
            .<EnvironmentEntity.Reply>ask(EnvironmentEntity.Get::new, Duration.ofSeconds(30)).toCompletableFuture().join();
        if (reply instanceof EnvironmentEntity.Ok ok && ok.view().status() == EnvironmentStatus.RUNNING) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("warm-up environment " + id + " is not RUNNING within " + timeout + ": " + reply);
        }
        LockSupport.parkNanos(POLL.toNanos() / 5);
      }
    }
  }

  private static List<NodeView> nodes(ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler) {
    return ask(system, scheduler, Scheduler.GetNodes::new).nodes();
  }

  static <Q, R> R ask(ActorSystem<?> system, ActorRef<Q> target, Function<ActorRef<R>, Q> message) {
    CompletionStage<R> answer = AskPattern.ask(target, message::apply, Duration.ofSeconds(30), system.scheduler());
    return answer.toCompletableFuture().join();
  }

  /** No node holds more than it has, no GPU is given twice, and every environment holds one place. */
  private static List<String> checkReservations(
      ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, PlacementOptions options, Timeline timeline) {
    List<String> violations = new ArrayList<>();
    List<NodeView> nodes = nodes(system, scheduler);
    int placed = 0;
    Set<String> gpus = new HashSet<>();
    for (NodeView node : nodes) {
      Resources capacity = node.status().capacity();
      Resources reserved = node.reserved();
      if (reserved.milliCpus() > capacity.milliCpus() || reserved.memoryBytes() > capacity.memoryBytes()
          || reserved.gpus() > capacity.gpus()) {
        violations.add("node " + node.status().nodeId() + " is overcommitted: " + reserved + " of " + capacity);
      }
      for (String gpu : node.gpusInUse()) {
        if (!gpus.add(gpu)) {
          violations.add("GPU " + gpu + " is reserved twice");
        }
      }
      placed += node.environmentCount();
    }
    int expected = WARM_UP_CREATES + timeline.runningCount.get();
    if (placed != expected) {
      violations.add("the scheduler holds " + placed + " reservations for " + expected + " running environments");
    }
    return violations;
  }
}
