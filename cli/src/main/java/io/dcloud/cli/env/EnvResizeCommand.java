package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env resize ID --cpu 2 --ram 4GB [--gpu 1]}: other resources, as {@code docker update}
 * and a Kubernetes pod's resize change them. A running environment restarts with them on its node
 * (followed until it runs again, unless detached); a stopped one takes them at its next start. The
 * gateway reads the values by the config's rules and names what it refuses.
 */
@Command(name = "resize", description = "Change the environment's CPU, RAM or GPUs: a running one restarts with them on its node")
final class EnvResizeCommand extends EnvironmentCommand implements Callable<Integer> {
  @Option(names = "--cpu", paramLabel = "CORES", description = "Cores, e.g. 0.5 or 2")
  String cpu;

  @Option(names = "--ram", paramLabel = "SIZE", description = "Memory, e.g. 512M or 4GB")
  String ram;

  @Option(names = "--gpu", paramLabel = "N", description = "GPUs")
  Integer gpu;

  @Option(names = {"-d", "--detach"}, description = "Print the status and return without following the restart")
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
    String status = resized.path("status").asText("?");
    if (!status.equals("STOPPING") || detach) {
      io().out().println(id() + " " + status);
      if (Set.of("STOPPED", "FAILED", "LOST").contains(status)) {
        io().err().println("its new resources apply when it next starts");
      }
      return ExitCodes.OK;
    }
    return new EnvProgress(io(), client).within(following.timeout).follow(id(), resized, EnvProgress.Goal.RESTARTED);
  }
}
