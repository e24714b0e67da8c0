package io.dcloud.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.EnvironmentSharding;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.persistence.CassandraSchema;
import io.dcloud.persistence.EmbeddedCassandra;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.scheduler.SchedulerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.Patterns;

/**
 * The scheduler alone, as Nomad's C1M measures its scheduler: {@code --nodes} node statuses in the
 * gossip, {@code --creates} Place requests at {@code --rate}, reservations persisted to a real
 * embedded Cassandra, each answer timed where an entity would receive it (a stand-in entity that
 * only records the time, started before the run as a real environment lives before it asks). What
 * the full path adds on top is {@link PlacementBenchmark}'s figure.
 *
 * <p>{@code ./dcloud bench scheduler --nodes 1000 --creates 100000 --rate 5000}
 */
public final class SchedulerBenchmark {
  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
  private static final long GIB = 1L << 30;
  /**
   * At most this many requests unanswered: below the scheduler's stash (4,096), which drops what
   * overflows it while a write is in flight. Entities re-send a dropped Place; this stand-in does
   * not, so the sender holds back instead (and the achieved rate says so).
   */
  private static final int MAX_UNANSWERED = 3000;
  /** Stand-in entities started at a time (see {@link #startStandIns}). */
  private static final int STAND_IN_STEP = 10_000;
  /** Requests before the measured ones, at the same rate, so the JIT has compiled the hot paths. */
  private static final int WARM_UP_REQUESTS = 10_000;

  private SchedulerBenchmark() {}

  public static void main(String[] args) {
    PlacementOptions options;
    try {
      options = PlacementOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(run(options, WARM_UP_REQUESTS, ConfigFactory.empty()).correct() ? 0 : 1);
  }

  /**
   * What a run placed, and how many reservations a scheduler started again on the same journal
   * recovered: every request placed exactly once, and every placement recovered, is correct.
   */
  record Result(int requests, int placed, int placedTwice, long snapshotsStored, int expectedAfterRestart, int recovered) {
    boolean correct() {
      return placed == requests && placedTwice == 0 && recovered == expectedAfterRestart;
    }
  }

  /**
   * One run on its own embedded Cassandra, after {@code warmUpRequests} untimed ones; prints its
   * figures. {@code overrides} take precedence over the benchmark's configuration.
   */
  static Result run(PlacementOptions options, int warmUpRequests, Config overrides) {
    Path work = PlacementBenchmark.workDir(options);
    EmbeddedCassandra.Settings cassandraSettings =
        EmbeddedCassandra.Settings.fromConfig(PlacementBenchmark.config(options, work, List.of()));
    System.out.println("bench: embedded Cassandra in " + work + " ...");
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(cassandraSettings)) {
      Config config = overrides.withFallback(
          cassandra.credentials().applyTo(PlacementBenchmark.config(options, work, List.of(cassandra.contactPoint()))));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dcloud-scheduler-bench", config);
      try {
        return run(system, config, options, warmUpRequests, cassandra.process());
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    } finally {
      if (!options.keepData()) {
        PlacementBenchmark.deleteRecursively(work);
      }
    }
  }

  private static Result run(
      ActorSystem<?> system, Config config, PlacementOptions options, int warmUpRequests, ProcessHandle cassandra) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Metrics.addRegistry(meters);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    CassandraSchema.create(system).toCompletableFuture().join();

    Timeline timeline = new Timeline(options.creates());
    Timeline warmUp = new Timeline(warmUpRequests);
    AtomicInteger standIns = new AtomicInteger();
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(EnvironmentEntity.TYPE_KEY, context -> {
      standIns.incrementAndGet();
      String id = context.getEntityId();
      boolean measured = PlacementBenchmark.indexOf(PlacementBenchmark.RUN_PREFIX, id) >= 0;
      Timeline of = measured ? timeline : warmUp;
      int index = PlacementBenchmark.indexOf(measured ? PlacementBenchmark.RUN_PREFIX : PlacementBenchmark.WARM_UP_PREFIX, id);
      return Behaviors.receiveMessage(message -> {
        if (message instanceof EnvironmentEntity.FromScheduler from && from.answer() instanceof PlacementAnswer.Granted && index >= 0) {
          of.mark(of.placed, of.placedCount, index, System.nanoTime());
        }
        return Behaviors.same();
      });
    }));
    gossip(system, options);
    ActorRef<Scheduler.Command> scheduler = system.systemActorOf(
        Scheduler.create(SchedulerSettings.fromConfig(config), EnvironmentSharding.answersVia(system)), "scheduler", org.apache.pekko.actor.typed.Props.empty());
    awaitNodes(system, scheduler, options.nodes());
    String[] warmUpIds = ids(PlacementBenchmark.WARM_UP_PREFIX, warmUpRequests);
    String[] runIds = ids(PlacementBenchmark.RUN_PREFIX, options.creates());
    startStandIns(sharding, standIns, warmUpIds, runIds);

    System.out.printf("bench: warming up with %d Place requests%n", warmUpRequests);
    offer(scheduler, warmUp, warmUpIds, options);
    while (warmUp.placedCount.get() < warmUpRequests) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    System.out.printf("bench: %d Place requests at %d/s over %d nodes%n", options.creates(), options.rate(), options.nodes());
    CpuUse cpu = CpuUse.start(cassandra);
    offer(scheduler, timeline, runIds, options);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
    while (timeline.placedCount.get() < options.creates() && System.nanoTime() < deadline) {
      if (System.nanoTime() > nextProgress) {
        System.out.printf("bench: placed %d%n", timeline.placedCount.get());
        nextProgress += PROGRESS_EVERY.toNanos();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    CpuUse.Used used = cpu.stop();
    long[] latencies = timeline.latenciesTo(timeline.placed);
    long span = timeline.last(timeline.placed) - timeline.first(timeline.sent);
    double perSecond = span <= 0 ? 0 : timeline.placedCount.get() * (double) NANOS_PER_SECOND / span;
    System.out.printf(Locale.ROOT, "%nScheduler benchmark: %d nodes, %d Place requests offered at %d/s%n", options.nodes(),
        options.creates(), options.rate());
    System.out.printf(Locale.ROOT, "  placed %d, placed twice %d; %.0f placements/s (first request to last placement)%n",
        timeline.placedCount.get(), timeline.repeated.get(), perSecond);
    System.out.printf(Locale.ROOT, "  request -> Placed p50 %.1f ms  p99 %.1f ms  max %.1f ms%n",
        PlacementReport.percentile(latencies, 50) / 1e6, PlacementReport.percentile(latencies, 99) / 1e6,
        (latencies.length == 0 ? 0 : latencies[latencies.length - 1]) / 1e6);
    System.out.printf(Locale.ROOT, "  p99 by second sent (ms): %s%n", Arrays.stream(timeline.p99BySecondSent(timeline.placed))
        .mapToObj(p99 -> String.format(Locale.ROOT, "%.0f", p99)).collect(Collectors.joining(" ")));
    System.out.printf(Locale.ROOT, "  CPU over %.1f s: DCloud JVM %.2f cores, Cassandra %.2f cores%n",
        used.wallSeconds(), used.dcloudCores(), used.cassandraCores());
    Timer snapshots = meters.timer("dcloud.scheduler.snapshots", "outcome", "stored");
    System.out.printf(Locale.ROOT, "  snapshots stored while placing (warm-up included): %d, mean %.0f ms, max %.0f ms%n",
        snapshots.count(), snapshots.mean(TimeUnit.MILLISECONDS), snapshots.max(TimeUnit.MILLISECONDS));
    int placed = warmUp.placedCount.get() + timeline.placedCount.get();
    Recovery recovery = restart(system, config, scheduler, options.nodes());
    System.out.printf(Locale.ROOT, "  restarted on the same journal: %d of %d reservations recovered in %.2f s%n",
        recovery.reservations(), placed, recovery.seconds());
    System.out.printf(Locale.ROOT, "RESULT nodes=%d requests=%d rate=%d placed=%d placements_per_s=%.0f placed_p50_ms=%.1f placed_p99_ms=%.1f"
            + " recovered=%d recovery_s=%.2f%n",
        options.nodes(), options.creates(), options.rate(), timeline.placedCount.get(), perSecond,
        PlacementReport.percentile(latencies, 50) / 1e6, PlacementReport.percentile(latencies, 99) / 1e6,
        recovery.reservations(), recovery.seconds());
    Metrics.removeRegistry(meters);
    return new Result(options.creates(), timeline.placedCount.get(), timeline.repeated.get(), snapshots.count(), placed,
        recovery.reservations());
  }

  private record Recovery(int reservations, double seconds) {}

  /**
   * Stops the scheduler (once its writes are done) and starts another on the same journal, as a
   * failover does: the time until it answers (its recovery from the newest snapshot and the events
   * after it), and the reservations it then holds on all nodes.
   */
  private static Recovery restart(ActorSystem<?> system, Config config, ActorRef<Scheduler.Command> scheduler, int nodes) {
    Patterns.gracefulStop(Adapter.toClassic(scheduler), ASK_TIMEOUT).toCompletableFuture().join();
    long start = System.nanoTime();
    ActorRef<Scheduler.Command> recovered = system.systemActorOf(
        Scheduler.create(SchedulerSettings.fromConfig(config), EnvironmentSharding.answersVia(system)), "scheduler-recovered",
        org.apache.pekko.actor.typed.Props.empty());
    askNodes(system, recovered);
    double seconds = (System.nanoTime() - start) / 1e9;
    // Its view of the nodes comes from gossip, a moment after it starts: the reservations are counted on all of them.
    awaitNodes(system, recovered, nodes);
    int reservations = askNodes(system, recovered).nodes().stream().mapToInt(NodeView::environmentCount).sum();
    return new Recovery(reservations, seconds);
  }

  /** The ids of a run, made before it: formatting them is the sender's work, not the scheduler's. */
  private static String[] ids(String prefix, int count) {
    String[] ids = new String[count];
    Arrays.setAll(ids, i -> PlacementBenchmark.environmentId(prefix, i));
    return ids;
  }

  /**
   * Starts every stand-in entity before the run: an environment asking for a place is already
   * alive. In steps of {@link #STAND_IN_STEP}, below what a shard region buffers while it learns
   * where new shards live (it drops the rest).
   */
  private static void startStandIns(ClusterSharding sharding, AtomicInteger started, String[]... runs) {
    List<String> all = Arrays.stream(runs).flatMap(Arrays::stream).toList();
    System.out.printf("bench: starting %d stand-in environments%n", all.size());
    EnvironmentEntity.FromScheduler wakeUp = new EnvironmentEntity.FromScheduler(new PlacementAnswer.Waiting(0, "bench: start"));
    for (int sent = 0; sent < all.size(); ) {
      int step = Math.min(STAND_IN_STEP, all.size() - sent);
      all.subList(sent, sent + step).forEach(id -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id).tell(wakeUp));
      sent += step;
      while (started.get() < sent) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }

  /** Sends {@code timeline.size()} Place requests at the options' rate, holding back past {@link #MAX_UNANSWERED}. */
  private static void offer(ActorRef<Scheduler.Command> scheduler, Timeline timeline, String[] ids, PlacementOptions options) {
    long interval = NANOS_PER_SECOND / options.rate();
    long start = System.nanoTime();
    for (int i = 0; i < timeline.size(); i++) {
      long due = start + i * interval;
      long now;
      while ((now = System.nanoTime()) < due || i - timeline.placedCount.get() >= MAX_UNANSWERED) {
        LockSupport.parkNanos(Math.max(due - now, TimeUnit.MICROSECONDS.toNanos(100)));
      }
      timeline.sent[i] = now;
      timeline.sentCount.incrementAndGet();
      boolean gpu = options.gpuEvery() > 0 && i % options.gpuEvery() == 0;
      scheduler.tell(new Scheduler.Place(new PlacementRequest(
          ids[i], new Resources(250, GIB / 2, gpu ? 1 : 0, 0, null), Map.of())));
    }
  }

  /** The statuses hollow nodes would gossip, written straight into the replicated map. */
  private static void gossip(ActorSystem<?> system, PlacementOptions options) {
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    String member = NodeGossip.memberId(Cluster.get(system).selfMember().uniqueAddress());
    List<NodeStatus> statuses = new ArrayList<>();
    for (int n = 1; n <= options.nodes(); n++) {
      String id = String.format("hollow-%04d", n);
      List<GpuDevice> gpus = new ArrayList<>();
      for (int g = 0; g < 8; g++) {
        gpus.add(new GpuDevice(g, "GPU-" + id + "-" + g, "NVIDIA A100 (hollow)", 81920L));
      }
      statuses.add(new NodeStatus(id, id, new Resources(64_000, 512 * GIB, gpus.size(), 100 * 1024 * GIB, null), gpus,
          NodeStatus.Usage.NONE, Map.of(), true, "hollow", null, Instant.now(), member));
    }
    statuses.stream().collect(Collectors.groupingBy(status -> NodeGossip.keyFor(status.nodeId()))).forEach((key, part) ->
        DistributedData.get(system).replicator().tell(new Replicator.Update<>(
            key, LWWMap.empty(), Replicator.writeLocal(), system.ignoreRef(), map -> {
              LWWMap<String, NodeStatus> all = map;
              for (NodeStatus status : part) {
                all = all.put(self, status.nodeId(), status);
              }
              return all;
            })));
  }

  private static void awaitNodes(ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, int expected) {
    while (askNodes(system, scheduler).nodes().size() < expected) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }

  private static Scheduler.Nodes askNodes(ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler) {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<Scheduler.Command, Scheduler.Nodes>ask(
        scheduler, Scheduler.GetNodes::new, ASK_TIMEOUT, system.scheduler()).toCompletableFuture().join();
  }
}
