package io.dcloud.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.device.DeviceViews;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services bind|bindings|unbind}: which devices an app reads and commands. A binding
 * belongs to the user who made it; the app learns of it at run time on its bindings topic.
 */
final class ServiceBindingsCommands {
  private ServiceBindingsCommands() {}

  static String path(String service) {
    return "/services/" + ApiClient.segment(service) + "/bindings";
  }

  @Command(name = "bind", description = "Bind a service to devices of the types its config declares")
  static final class Bind extends Subcommand implements Callable<Integer> {
    @Mixin
    OutputOption output;

    @Parameters(index = "0", paramLabel = "NAME", description = "The service")
    String service;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "DEVICE", description = "The devices' ids")
    List<String> devices;

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      devices.forEach(body.putArray("devices")::add);
      JsonNode binding = client().post(path(service), body);
      if (output.format == OutputOption.Format.table) {
        io().out().println("binding " + binding.path("id").asText() + " of " + service + " to "
            + String.join(", ", devices));
      } else {
        output.print(io().out(), binding, () -> null);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "bindings", description = "List a service's bindings (yours; the service's owner and admins: all)")
  static final class Bindings extends Subcommand implements Callable<Integer> {
    @Mixin
    OutputOption output;

    @Parameters(paramLabel = "NAME", description = "The service")
    String service;

    @Override
    public Integer call() {
      JsonNode listing = client().get(path(service));
      output.print(io().out(), listing, () -> DeviceViews.bindings(listing.path("items")));
      return ExitCodes.OK;
    }
  }

  @Command(name = "unbind", description = "Delete a binding: the service loses access to its devices at once")
  static final class Unbind extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The service")
    String service;

    @Parameters(index = "1", paramLabel = "BINDING", description = "The binding's id (dcloud services bindings NAME)")
    String binding;

    @Override
    public Integer call() {
      client().delete(path(service) + "/" + ApiClient.segment(binding));
      io().out().println("binding " + binding + " of " + service + " deleted");
      return ExitCodes.OK;
    }
  }
}
