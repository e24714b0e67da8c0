package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** {@code dcloud models|apps ls}: the artifacts the caller may read, each with its latest version. */
public abstract class ArtifactListCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  /** The API's collection: {@code models} or {@code apps}. */
  protected abstract String collection();

  @Override
  public Integer call() {
    JsonNode listing = client().get("/" + collection());
    output.print(io().out(), listing, () -> {
      Table table = new Table("NAME", "OWNER", "VERSION", "SIZE", "CREATED");
      for (JsonNode entry : listing.path(collection())) {
        table.row(entry.path("name").asText(), entry.path("owner").asText(), entry.path("version").asInt(),
            entry.path("size").asLong(), entry.path("createdAt").asText());
      }
      return table;
    });
    return ExitCodes.OK;
  }
}
