package io.dcloud.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.app.DCloudNode;
import io.dcloud.config.DCloudConfig;
import io.dcloud.persistence.EmbeddedCassandra;
import io.dcloud.scheduler.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Placement throughput and latency at scale: one DCloud process with the control and worker roles
 * runs {@code --nodes} hollow workers over a real embedded Cassandra; {@code --creates}
 * environments are created through the real path (EnvironmentEntity, Scheduler, NodeActor, the
 * journal) at a fixed rate, and every status change is timed as it is published. With {@code
 * --memory} it also weighs the heap per live and per passivated environment, and per environment in a second read side.
 *
 * <p>{@code ./dcloud bench placement --nodes 1000 --creates 100000 --rate 3000 --memory}
 *
 * <p>This file is the shell around a run: the flags ({@link PlacementOptions}), the start and stop of
 * Cassandra and the process, and the conventions {@link SchedulerBenchmark} and {@link CreateLoad}
 * share with it (work directory, configuration, environment ids); the run itself is {@link
 * PlacementRun}, its figures {@link PlacementReport}.
 */
public final class PlacementBenchmark {
  /** Environment ids of the measured run and of the warm-up (see {@link #environmentId}). */
  static final String RUN_PREFIX = "env";
  static final String WARM_UP_PREFIX = "warm";

  private PlacementBenchmark() {}

  public static void main(String[] args) {
    PlacementOptions options;
    try {
      options = PlacementOptions.parse(args);
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
  public static PlacementReport run(PlacementOptions options) {
    return run(options, Disturbance.NONE);
  }

  /** As {@link #run(PlacementOptions)}, with {@code disturbance} done to the run while it sends. */
  public static PlacementReport run(PlacementOptions options, Disturbance disturbance) {
    Path work = workDir(options);
    System.out.println("bench: embedded Cassandra in " + work + " ...");
    EmbeddedCassandra.Settings cassandraSettings = EmbeddedCassandra.Settings.fromConfig(config(options, work, List.of()));
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(cassandraSettings)) {
      Config config = config(options, work, List.of(cassandra.contactPoint()));
      try (DCloudNode node = DCloudNode.start(config)) {
        ActorRef<Scheduler.Command> scheduler = node.scheduler().toCompletableFuture().join();
        return PlacementRun.measure(node.system(), scheduler, options, cassandra.process(), disturbance);
      }
    } finally {
      if (!options.keepData()) {
        deleteRecursively(work);
      }
    }
  }

  static Path workDir(PlacementOptions options) {
    try {
      return options.workDir() != null
          ? Files.createDirectories(options.workDir())
          : Files.createTempDirectory("dcloud-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** bench.conf over application.conf, with the flags' values on top (resolved like the app's: -D wins). */
  static Config config(PlacementOptions options, Path work, List<String> cassandra) {
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

  /** Environment ids are UUID-shaped, like the gateway's, with the index in the last group. */
  static String environmentId(String prefix, int index) {
    // Not String.format: it was 2 % of the benchmark process's CPU, which DCloud shares.
    String digits = Integer.toString(index);
    return idStart(prefix) + "0000-0000-4000-8000-" + "0".repeat(12 - digits.length()) + digits;
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
