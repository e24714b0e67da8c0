package io.dcloud.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.app.DCloudNode;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.DefaultCatalog;
import io.dcloud.config.DCloudConfig;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.SpecLimits;
import io.dcloud.persistence.EmbeddedCassandra;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Placement throughput and latency at scale: one DCloud process with the control and worker roles
 * runs {@code --nodes} hollow workers over a real embedded Cassandra; {@code --creates}
 * environments are created through the real path (EnvironmentEntity, Scheduler, NodeActor, the
 * journal) at a fixed rate, and every status change is timed as it is published. With {@code
 * --memory} it also weighs the heap per live and per passivated environment, and per environment in a second read side.
 *
 * <p>{@code ./dcloud bench placement --nodes 1000 --creates 100000 --rate 3000 --memory}
 */
public final class PlacementBenchmark {
  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  static final Duration POLL = Duration.ofMillis(500);
  /** Environment ids of the measured run and of the warm-up (see {@link #environmentId}). */
  static final String RUN_PREFIX = "env";
  static final String WARM_UP_PREFIX = "warm";
  /** Creates before the measured run: they bring up the shards and the paths to every node. */
  private static final int WARM_UP_CREATES = 200;

  private PlacementBenchmark() {}

  /** What one run does; see {@link #usage()}. */
  public record Options(
      int nodes,
      int creates,
      int rate,
      int gpuEvery,
      boolean memory,
      Duration idle,
      Duration timeout,
      Path workDir,
      boolean keepData) {

    public static Options defaults() {
      return new Options(1000, 100_000, 3000, 20, false, Duration.ofSeconds(60), Duration.ofMinutes(20), null, false);
    }

    static Options parse(String[] args) {
      Options o = defaults();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--memory") || flag.equals("--keep-data")) {
          o = flag.equals("--memory") ? o.with(b -> b.memory = true) : o.with(b -> b.keepData = true);
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag " + flag + " needs a value\n" + usage());
        }
        String value = args[++i];
        o = switch (flag) {
          case "--nodes" -> o.with(b -> b.nodes = Integer.parseInt(value));
          case "--creates" -> o.with(b -> b.creates = Integer.parseInt(value));
          case "--rate" -> o.with(b -> b.rate = Integer.parseInt(value));
          case "--gpu-every" -> o.with(b -> b.gpuEvery = Integer.parseInt(value));
          case "--idle" -> o.with(b -> b.idle = Duration.ofSeconds(Long.parseLong(value)));
          case "--timeout" -> o.with(b -> b.timeout = Duration.ofSeconds(Long.parseLong(value)));
          case "--work-dir" -> o.with(b -> b.workDir = Path.of(value));
          default -> throw new IllegalArgumentException("unknown flag " + flag + "\n" + usage());
        };
      }
      if (o.nodes < 1 || o.creates < 1 || o.rate < 1) {
        throw new IllegalArgumentException("--nodes, --creates and --rate must be positive\n" + usage());
      }
      return o;
    }

    static String usage() {
      return """
          usage: dcloud bench placement [--nodes 1000] [--creates 100000] [--rate 3000 (creates/s)]
                                        [--gpu-every 20 (one create in N asks for a GPU; 0 = none;
                                                         each hollow node has dcloud.node.hollow.gpus)]
                                        [--memory] [--idle 60 (s before an entity passivates)]
                                        [--timeout 1200 (s)] [--work-dir DIR] [--keep-data]""";
    }

    private Options with(java.util.function.Consumer<Builder> change) {
      Builder b = new Builder(this);
      change.accept(b);
      return b.build();
    }

    private static final class Builder {
      int nodes;
      int creates;
      int rate;
      int gpuEvery;
      boolean memory;
      Duration idle;
      Duration timeout;
      Path workDir;
      boolean keepData;

      Builder(Options o) {
        nodes = o.nodes;
        creates = o.creates;
        rate = o.rate;
        gpuEvery = o.gpuEvery;
        memory = o.memory;
        idle = o.idle;
        timeout = o.timeout;
        workDir = o.workDir;
        keepData = o.keepData;
      }

      Options build() {
        return new Options(nodes, creates, rate, gpuEvery, memory, idle, timeout, workDir, keepData);
      }
    }
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    PlacementReport report = run(options);
    System.out.println(report.render());
    System.exit(report.violations().isEmpty() ? 0 : 1);
  }

  /** Starts Cassandra and one DCloud process, runs the benchmark, stops both. */
  public static PlacementReport run(Options options) {
    return run(options, Disturbance.NONE);
  }

  /** As {@link #run(Options)}, with {@code disturbance} done to the run while it sends. */
  public static PlacementReport run(Options options, Disturbance disturbance) {
    Path work = workDir(options);
    System.out.println("bench: embedded Cassandra in " + work + " ...");
    EmbeddedCassandra.Settings cassandraSettings = EmbeddedCassandra.Settings.fromConfig(config(options, work, List.of()));
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(cassandraSettings)) {
      Config config = config(options, work, List.of(cassandra.contactPoint()));
      try (DCloudNode node = DCloudNode.start(config)) {
        ActorRef<Scheduler.Command> scheduler = node.scheduler().toCompletableFuture().join();
        return measure(node.system(), scheduler, options, cassandra.process(), disturbance);
      }
    } finally {
      if (!options.keepData()) {
        deleteRecursively(work);
      }
    }
  }

  static Path workDir(Options options) {
    try {
      return options.workDir() != null
          ? Files.createDirectories(options.workDir())
          : Files.createTempDirectory("dcloud-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** bench.conf over application.conf, with the flags' values on top (resolved like the app's: -D wins). */
  static Config config(Options options, Path work, List<String> cassandra) {
    Config overrides = ConfigFactory.parseMap(Map.of(
        "dcloud.node.hollow.nodes", options.nodes(),
        "dcloud.data-dir", work.toString(),
        "dcloud.cassandra.embedded.data-dir", work.resolve("cassandra").toString(),
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout", options.idle().toSeconds() + "s"));
    if (!cassandra.isEmpty()) {
      overrides = overrides.withValue("dcloud.cassandra.contact-points", ConfigValueFactory.fromIterable(cassandra));
    }
    return DCloudConfig.load(overrides.withFallback(ConfigFactory.parseResources("bench.conf")));
  }

  // ---------------------------------------------------------------- the run

  private static PlacementReport measure(
      ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, Options options, ProcessHandle cassandra,
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
    CreateLoad.send(system, WARM_UP_PREFIX, warmUp, new Timeline(WARM_UP_CREATES), WARM_UP_CREATES, system.ignoreRef());
    awaitWarmUp(system, options.timeout());

    HeapUse memory = new HeapUse();
    if (options.memory()) {
      memory.baseline = HeapUse.usedHeapAfterGc();
    }
    List<CreateLoad.Create> creates = CreateLoad.specs(catalog, limits, options.creates(), options.gpuEvery());

    CpuUse cpu = CpuUse.start(cassandra);
    System.out.printf("bench: %d creates at %d/s over %d nodes%n", options.creates(), options.rate(), options.nodes());
    Disturbance.Running disturbed = Disturbance.Running.start(disturbance, cassandra);
    CreateLoad.send(system, RUN_PREFIX, creates, timeline, options.rate(), acks);
    List<String> violations = new ArrayList<>(disturbed.awaitEnd());
    // Undisturbed, the entities hold the specs now: only they count in the heap.
    List<CreateLoad.Create> unanswered = disturbance == Disturbance.NONE ? List.of() : creates;
    creates = null;
    boolean complete = awaitRunning(timeline, options.timeout(), "run",
        () -> CreateLoad.resendUnaccepted(system, unanswered, timeline, acks));
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

  /** Environment ids are UUID-shaped, like the gateway's, with the index in the last group. */
  static String environmentId(String prefix, int index) {
    return String.format("%s0000-0000-4000-8000-%012d", idStart(prefix), index);
  }

  /** The first four characters of every id {@link #environmentId} makes with {@code prefix}. */
  private static String idStart(String prefix) {
    return prefix.equals(RUN_PREFIX) ? "0000" : "ffff";
  }

  /** The index {@link #environmentId} was given, or -1 for an id of another prefix. Cheap: run per answer. */
  static int indexOf(String prefix, String environmentId) {
    if (!environmentId.startsWith(idStart(prefix))) {
      return -1;
    }
    return Integer.parseInt(environmentId, environmentId.length() - 12, environmentId.length(), 10);
  }

  private static Behavior<EnvironmentUpdate> statusCollector(Timeline timeline) {
    return Behaviors.receive((context, update) -> {
      int index = indexOf(RUN_PREFIX, update.environmentId());
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
      int index = reply instanceof EnvironmentEntity.Ok ok ? indexOf(RUN_PREFIX, ok.view().id()) : -1;
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
      String id = environmentId(WARM_UP_PREFIX, i);
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
      ActorSystem<?> system, ActorRef<Scheduler.Command> scheduler, Options options, Timeline timeline) {
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

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
