package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.KeyValues;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud devices command ID NAME [K=V ...] [--wait]}: a command to a controller, delivered
 * over MQTT at least once; {@code --wait} follows it until the device answered or it expired.
 */
@Command(name = "command", description = "Send a command to a controller (platform configurers, admins);"
    + " parameters as K=V, a value that is JSON (42, true) taken as such, else a string")
final class DeviceCommandCommand extends Subcommand implements Callable<Integer> {
  /** How often --wait asks: a device on a live connection answers within a second or so. */
  static final Duration POLL = Duration.ofMillis(500);
  /** The statuses a command ends in (the API's, in lower case). */
  private static final Set<String> ENDED = Set.of("acked", "rejected", "expired");

  @Mixin
  OutputOption output;

  @Parameters(index = "0", paramLabel = "ID", description = "The controller")
  String id;

  @Parameters(index = "1", paramLabel = "NAME", description = "One of its type's commands")
  String name;

  @Parameters(index = "2..*", paramLabel = "K=V", description = "The command's parameters")
  List<String> params;

  @Option(names = "--wait", description = "Wait until the device acknowledged it (exit 0), rejected it or it expired"
      + " (exit 1), with each change of status on stderr")
  boolean wait;

  @Override
  public Integer call() throws InterruptedException {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("name", name);
    body.set("params", KeyValues.parse(params, "a parameter", true));
    ApiClient client = client();
    JsonNode command = client.post(DevicesCommand.path(id) + "/commands", body);
    String commandId = command.path("id").asText();
    io().err().println("command " + commandId + " to " + id + ": " + status(command));
    if (wait) {
      command = awaitEnd(client, commandId, status(command));
    }
    JsonNode shown = command;
    output.print(io().out(), shown, () -> DeviceViews.commands(List.of(shown)));
    if (wait && !status(command).equals("acked")) {
      String answer = command.path("answer").asText("");
      throw new CliException(ExitCodes.ERROR, "command " + commandId + " " + status(command)
          + (answer.isEmpty() ? "" : ": " + answer));
    }
    return ExitCodes.OK;
  }

  private JsonNode awaitEnd(ApiClient client, String commandId, String printed) throws InterruptedException {
    String path = DevicesCommand.path(id) + "/commands/" + ApiClient.segment(commandId);
    while (true) {
      JsonNode command = client.get(path);
      String status = status(command);
      if (!status.equals(printed)) {
        io().err().println("command " + commandId + ": " + status + " (attempts " + command.path("attempts").asInt() + ")");
        printed = status;
      }
      if (ENDED.contains(status)) {
        return command;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static String status(JsonNode command) {
    return command.path("status").asText().toLowerCase(Locale.ROOT);
  }
}
