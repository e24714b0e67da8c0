package io.dcloud.cli.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dcloud catalog get | set -f FILE}: the library catalog (operating systems, languages, libraries). */
@Command(name = "catalog", description = "Read (the default) or replace the library catalog")
public final class CatalogCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("get");
  }

  @Command(name = "get", aliases = "show", description = "Show the catalog (-o yaml to edit it and 'catalog set' it back)")
  int get(@Mixin OutputOption format) {
    JsonNode catalog = client().get("/catalog");
    format.print(io().out(), catalog, () -> table(catalog));
    return ExitCodes.OK;
  }

  @Command(name = "set", description = "Replace the whole catalog (configurers and admins)")
  int set(@Mixin OutputOption format,
      @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML or JSON ('-': stdin)")
      String file) {
    JsonNode catalog = client().put("/catalog", SpecFiles.read(file, io().in()));
    format.print(io().out(), catalog, () -> table(catalog));
    return ExitCodes.OK;
  }

  private static Table table(JsonNode catalog) {
    Table table = new Table("OS", "BASE-IMAGE", "LANGUAGES");
    for (JsonNode os : catalog) {
      List<String> languages = new ArrayList<>();
      os.path("specifications").fieldNames().forEachRemaining(languages::add);
      table.row(EnvironmentTable.text(os, "os"), EnvironmentTable.text(os, "base-image"), String.join(",", languages));
    }
    return table;
  }
}
