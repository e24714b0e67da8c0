package io.dcloud.cli.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud templates [ls | get NAME | save NAME -f FILE | rm NAME]}: the built-in templates and the caller's own. */
@Command(name = "templates", description = "List templates (the default), show, save or delete one")
public final class TemplatesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list", description = "List the templates")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/templates");
    format.print(io().out(), listing, () -> table(listing.path("templates"), LISTED_DESCRIPTION));
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show one template (-o yaml for its contract)")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    JsonNode template = client().get(template(name));
    format.print(io().out(), template, () -> table(List.of(template), Integer.MAX_VALUE));
    return ExitCodes.OK;
  }

  @Command(name = "save", description = "Save an environment contract as a template of yours (create or replace)")
  int save(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The contract (YAML or JSON; - for stdin)")
      String file,
      @Option(names = "--description", paramLabel = "TEXT") String description) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (description != null) {
      body.put("description", description);
    }
    body.set("spec", SpecFiles.read(file, io().in()));
    JsonNode template = client().put(template(name), body);
    format.print(io().out(), template, () -> table(List.of(template), Integer.MAX_VALUE));
    return ExitCodes.OK;
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a template (built-in ones: configurers and admins)")
  int rm(@Parameters(paramLabel = "NAME") String name) {
    client().delete(template(name));
    io().err().println("deleted template " + name);
    return ExitCodes.OK;
  }

  private static String template(String name) {
    return "/templates/" + ApiClient.segment(name);
  }

  /** {@code templates ls} clips a description to this many characters; {@code templates get} gives it whole. */
  private static final int LISTED_DESCRIPTION = 72;

  private static Table table(Iterable<JsonNode> templates, int descriptionWidth) {
    Table table = new Table("NAME", "OWNER", "BUILT-IN", "DESCRIPTION");
    templates.forEach(t -> table.row(EnvironmentTable.text(t, "name"), EnvironmentTable.text(t, "owner"),
        t.path("builtIn").asBoolean(), Table.clipped(EnvironmentTable.text(t, "description"), descriptionWidth)));
    return table;
  }
}
