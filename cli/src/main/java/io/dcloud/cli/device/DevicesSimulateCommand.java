package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.DurationConverter;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dcloud devices simulate --type T --count N --rate R}: N devices of a sensor or controller
 * type, each registered through the API (or its secret rotated when it exists), connected to the
 * broker with its own credentials, publishing realistic readings at R per second in all; a
 * controller also acknowledges every command it gets. Runs for --duration, or until interrupted,
 * with a progress line every {@value #PROGRESS_SECONDS} s and a summary at the end.
 */
@Command(name = "simulate", description = "Simulate devices of a type: register them, connect each with its own credentials,"
    + " publish readings (and acknowledge commands) until --duration or Ctrl-C")
final class DevicesSimulateCommand extends Subcommand implements Callable<Integer> {
  static final int PROGRESS_SECONDS = 5;
  /** Registrations sent to the API at once. */
  static final int REGISTERING_AT_ONCE = 8;
  /** Connection failures printed one by one; the rest only counted. */
  static final int PROBLEMS_SHOWN = 5;
  private static final Pattern DEVICE_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  @Option(names = "--type", required = true, paramLabel = "T", description = "The sensor or controller type")
  String type;

  @Option(names = "--count", defaultValue = "10", paramLabel = "N", description = "How many devices (default: 10)")
  int count;

  @Option(names = "--rate", defaultValue = "10", paramLabel = "R",
      description = "Readings per second of all the devices together (default: 10)")
  double rate;

  @Option(names = "--site", defaultValue = "simulation", paramLabel = "S",
      description = "The devices' location site (default: simulation)")
  String site;

  @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
      description = "How long to publish: 90, 90s, 5m, 1h (default: until interrupted; 0: register and connect only)")
  Duration duration;

  @Option(names = "--prefix", defaultValue = "sim", paramLabel = "P",
      description = "The devices are P-<type>-1 ... P-<type>-N (default: sim)")
  String prefix;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    List<String> ids = ids();
    if (!(rate > 0)) {
      throw CliException.usage("--rate must be more than 0, not " + rate);
    }
    ApiClient client = client();
    JsonNode sensorType = client.get("/sensor-types/" + ApiClient.segment(type));
    String broker = client.get("/devices/broker").path("url").asText();
    boolean controller = sensorType.path("kind").asText().equals("controller");
    io().out().println("registering " + count(ids.size(), sensorType.path("kind").asText("sensor")) + " of type " + type
        + " at site " + site);
    List<SimulatorCredentials> credentials = register(new SimulatorRegistration(client, type, site, broker), ids);

    Random random = new Random();
    try (Simulator simulator = new Simulator(ids.size())) {
      for (int i = 0; i < ids.size(); i++) {
        simulator.add(ids.get(i), credentials.get(i), SimulatorValues.of(sensorType.path("fields"), random), controller);
      }
      AtomicInteger problems = new AtomicInteger();
      simulator.connectAll(problem -> {
        if (problems.incrementAndGet() <= PROBLEMS_SHOWN) {
          io().err().println("dcloud: " + problem);
        }
      });
      int connected = simulator.connected();
      io().out().println("connected " + connected + "/" + ids.size() + " to " + broker);
      if (connected == 0) {
        throw new CliException(ExitCodes.ERROR, "no device could connect to " + broker);
      }
      return run(simulator, ids.size());
    }
  }

  private List<String> ids() {
    if (count < 1) {
      throw CliException.usage("--count must be at least 1, not " + count);
    }
    List<String> ids = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      ids.add(prefix + "-" + type + "-" + n);
    }
    if (!DEVICE_ID.matcher(ids.get(ids.size() - 1)).matches()) {
      String named = ids.size() == 1 ? "device id " + ids.get(0) : "device ids " + ids.get(0) + " ...";
      throw CliException.usage(named + " must match " + DEVICE_ID + ": choose a shorter --prefix"
          + " (lower case letters, digits, '.', '_', '-')");
    }
    return ids;
  }

  /** "1 sensor", "3 sensors": so that a run of one device reads right. */
  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** Each device's credentials, in order, {@value #REGISTERING_AT_ONCE} requests at a time. */
  private List<SimulatorCredentials> register(SimulatorRegistration registration, List<String> ids)
      throws InterruptedException {
    ExecutorService registering = Executors.newFixedThreadPool(REGISTERING_AT_ONCE);
    try {
      List<Future<SimulatorCredentials>> pending = new ArrayList<>();
      ids.forEach(id -> pending.add(registering.submit(() -> registration.credentials(id))));
      List<SimulatorCredentials> credentials = new ArrayList<>();
      for (Future<SimulatorCredentials> one : pending) {
        credentials.add(one.get());
      }
      return credentials;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof CliException known ? known
          : new CliException(ExitCodes.ERROR, "registering the devices failed: " + e.getCause(), e.getCause());
    } finally {
      registering.shutdownNow();
    }
  }

  private int run(Simulator simulator, int devices) throws InterruptedException {
    // Ctrl-C (SIGINT, SIGTERM) ends the run as --duration does: the summary is printed before the JVM exits.
    Thread interrupted = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "dcloud-sim-shutdown");
    Runtime.getRuntime().addShutdownHook(interrupted);
    long started = System.nanoTime();
    try {
      if (duration == null || !duration.isZero()) {
        simulator.start(rate);
        while (!stop.await(untilProgress(started), TimeUnit.NANOSECONDS) && !over(started)) {
          progress(simulator, devices, started);
        }
      }
      // The rate is over the publishing alone, not the disconnecting after it.
      double seconds = (System.nanoTime() - started) / 1e9;
      simulator.close();
      summary(simulator, devices, seconds);
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(interrupted);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it is what ended the loop.
      }
    }
    return ExitCodes.OK;
  }

  /** Nanoseconds until the next progress line, or until the end of --duration when that comes first. */
  private long untilProgress(long started) {
    long progress = TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
    return duration == null ? progress : Math.max(0, Math.min(progress, duration.toNanos() - (System.nanoTime() - started)));
  }

  private boolean over(long started) {
    return duration != null && System.nanoTime() - started >= duration.toNanos();
  }

  private void progress(Simulator simulator, int devices, long started) {
    SimulatorCounts counts = simulator.counts();
    io().out().printf(Locale.ROOT, "%4d s: published %d, failed %d, connected %d/%d%s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), counts.published(), counts.failures(),
        simulator.connected(), devices, counts.acked() > 0 ? ", commands acked " + counts.acked() : "");
    io().out().flush();
  }

  /** One line a script can read: key=value pairs. */
  private void summary(Simulator simulator, int devices, double seconds) {
    SimulatorCounts counts = simulator.counts();
    io().out().printf(Locale.ROOT, "summary: devices=%d seconds=%.1f published=%d failed=%d acked=%d rate=%.1f%n",
        devices, seconds, counts.published(), counts.failures(), counts.acked(),
        seconds > 0 ? counts.published() / seconds : 0);
    io().out().flush();
  }
}
