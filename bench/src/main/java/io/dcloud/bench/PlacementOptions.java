package io.dcloud.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What one placement run does, read from the command line; see {@link #usage()}. A file of its own
 * because {@link SchedulerBenchmark} takes the same flags, and the tests build it directly.
 */
public record PlacementOptions(
    int nodes,
    int creates,
    int rate,
    int gpuEvery,
    boolean memory,
    Duration idle,
    Duration timeout,
    Path workDir,
    boolean keepData) {

  public static PlacementOptions defaults() {
    return new PlacementOptions(1000, 100_000, 3000, 20, false, Duration.ofSeconds(60), Duration.ofMinutes(20), null, false);
  }

  static PlacementOptions parse(String[] args) {
    PlacementOptions o = defaults();
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

  /** A copy with {@code change} made: each flag names one field, the rest stay as they are. */
  private PlacementOptions with(Consumer<Builder> change) {
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

    Builder(PlacementOptions o) {
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

    PlacementOptions build() {
      return new PlacementOptions(nodes, creates, rate, gpuEvery, memory, idle, timeout, workDir, keepData);
    }
  }
}
