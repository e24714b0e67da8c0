package io.dcloud.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.service.ServiceRollout;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud models deploy NAME [--version N] [--wait]}: serves a model version, creating the
 * model's service or rolling it to the version; with {@code --wait} it follows the roll
 * ({@link ServiceRollout}) until every replica of the new service version is ready.
 */
@Command(name = "deploy", description = "Serve a model version: create its service, or roll the service to it")
final class ModelsDeployCommand extends Subcommand implements Callable<Integer> {
  @Parameters(paramLabel = "NAME", description = "The model")
  String name;

  @Option(names = "--version", paramLabel = "N", description = "The model version (default: the latest)")
  Integer version;

  @Option(names = "--wait", description = "Wait until every replica of the new service version is ready")
  boolean await;

  @Override
  public Integer call() throws InterruptedException {
    ApiClient client = client();
    JsonNode body = version == null ? JsonNodeFactory.instance.objectNode()
        : JsonNodeFactory.instance.objectNode().put("version", version);
    JsonNode service = client.post("/models/" + ApiClient.segment(name) + "/deploy", body);
    int serviceVersion = service.path("version").asInt();
    int replicas = service.path("desiredReplicas").asInt();
    io().out().println(service.path("name").asText() + " service version " + serviceVersion + ", "
        + replicas + (replicas == 1 ? " replica" : " replicas"));
    if (!await) {
      return ExitCodes.OK;
    }
    new ServiceRollout(io(), client).await(service.path("name").asText(), serviceVersion);
    return ExitCodes.OK;
  }
}
