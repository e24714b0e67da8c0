package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud env share ID [GROUP…] [--none]}: the groups whose members see the environment
 * read-only — shown, replaced by the groups given, or none with {@code --none}.
 */
@Command(name = "share", description = "Show the groups the environment is shared with (read-only), or replace them")
final class EnvShareCommand extends EnvironmentCommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Parameters(index = "1..*", paramLabel = "GROUP", description = "The groups from now on (yours; an admin's any)")
  List<String> groups;

  @Option(names = "--none", description = "Stop sharing it")
  boolean none;

  @Override
  public Integer call() {
    String path = path() + "/sharing";
    boolean replacing = none || (groups != null && !groups.isEmpty());
    if (none && groups != null && !groups.isEmpty()) {
      throw CliException.usage("give groups or --none, not both");
    }
    JsonNode sharing;
    if (replacing) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      var list = body.putArray("groups");
      if (groups != null) {
        groups.forEach(list::add);
      }
      sharing = client().put(path, body);
    } else {
      sharing = client().get(path);
    }
    output.print(io().out(), sharing, () -> {
      Table table = new Table("GROUP");
      sharing.path("groups").forEach(group -> table.row(group.asText()));
      return table;
    });
    return ExitCodes.OK;
  }
}
