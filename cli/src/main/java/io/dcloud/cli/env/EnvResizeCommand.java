package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env resize ID --cpu 2 --ram 4GB [--gpu 1]}: other resources, as {@code docker update}
 * and a Kubernetes pod's resize change them. A running environment's CPU and RAM change as it runs
 * (followed until its node has applied them, unless detached); other GPUs restart it on its node
 * (followed until it runs again); a stopped one takes them at its next start. The gateway reads the
 * values by the config's rules and names what it refuses.
 */
@Command(name = "resize", description = "Change the environment's CPU, RAM or GPUs: CPU and RAM as it runs, GPUs by a restart on its node")
final class EnvResizeCommand extends EnvironmentCommand implements Callable<Integer> {
  /** How often to look whether a node has applied new limits (it takes an engine call or two). */
  private static final Duration LOOK_EVERY = Duration.ofMillis(200);

  @Option(names = "--cpu", paramLabel = "CORES", description = "Cores, e.g. 0.5 or 2")
  String cpu;

  @Option(names = "--ram", paramLabel = "SIZE", description = "Memory, e.g. 512M or 4GB")
  String ram;

  @Option(names = "--gpu", paramLabel = "N", description = "GPUs")
  Integer gpu;

  @Option(names = {"-d", "--detach"}, description = "Print the status and return without following the change")
  boolean detach;

  @Mixin
  FollowTimeout following;

  @Override
  public Integer call() {
    if (cpu == null && ram == null && gpu == null) {
      throw new CliException(ExitCodes.USAGE, "say what to change: --cpu, --ram or --gpu");
    }
    ObjectNode resources = JsonNodeFactory.instance.objectNode();
    if (cpu != null) {
      resources.put("cpu", cpu);
    }
    if (ram != null) {
      resources.put("ram", ram);
    }
    if (gpu != null) {
      resources.put("gpu", gpu);
    }
    ApiClient client = client();
    JsonNode resized = client.post(path() + "/resize", JsonNodeFactory.instance.objectNode().set("resources", resources));
    if (!detach && resizing(resized)) {
      resized = awaitLimits(client, resized);
    }
    String status = resized.path("status").asText("?");
    if (!status.equals("STOPPING") || detach) {
      io().out().println(id() + " " + status);
      if (Set.of("STOPPED", "FAILED", "LOST").contains(status)) {
        io().err().println("its new resources apply when it next starts");
      } else if (status.equals("RUNNING") && !detach) {
        io().err().println(lastStep(resized));
      }
      return ExitCodes.OK;
    }
    // Other GPUs, or limits its node could not change as it ran: restarted with them.
    return new EnvProgress(io(), client).within(following.timeout).follow(id(), resized, EnvProgress.Goal.RESTARTED);
  }

  /** Until its node has applied the limits (or could not, and it restarts); past --timeout, exit 1 and the change goes on. */
  private JsonNode awaitLimits(ApiClient client, JsonNode resized) {
    long deadline = following.timeout == null ? Long.MAX_VALUE : System.nanoTime() + following.timeout.toNanos();
    JsonNode now = resized;
    while (resizing(now)) {
      if (System.nanoTime() > deadline) {
        throw new CliException(ExitCodes.ERROR, "the node of environment " + id() + " has not changed its limits yet after "
            + following.timeout + " (--timeout); it goes on: dcloud env get " + id());
      }
      try {
        Thread.sleep(LOOK_EVERY.toMillis());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.ERROR, "interrupted; the change goes on: dcloud env get " + id());
      }
      now = client.get(path());
    }
    return now;
  }

  private static boolean resizing(JsonNode environment) {
    return environment.path("status").asText("").equals("RUNNING") && environment.path("resizing").asBoolean(false);
  }

  private static String lastStep(JsonNode environment) {
    JsonNode history = environment.path("history");
    return history.isEmpty() ? "" : history.get(history.size() - 1).path("message").asText("");
  }
}
