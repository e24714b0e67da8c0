package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud models|apps get NAME}: an artifact's versions (the table) and its latest config
 * ({@code -o yaml} or {@code json} for all of it).
 */
public abstract class ArtifactGetCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Parameters(paramLabel = "NAME")
  String name;

  /** The API's collection: {@code models} or {@code apps}. */
  protected abstract String collection();

  @Override
  public Integer call() {
    JsonNode artifact = client().get("/" + collection() + "/" + ApiClient.segment(name));
    output.print(io().out(), artifact, () -> {
      Table table = new Table("VERSION", "SIZE", "SHA256", "CREATED BY", "CREATED");
      artifact.path("versions").forEach(version -> table.row(version.path("version").asInt(),
          ByteSizes.of(version.path("size").asDouble()), EnvironmentTable.text(version, "sha256"),
          EnvironmentTable.text(version, "createdBy"), EnvironmentTable.text(version, "createdAt")));
      return table;
    });
    return ExitCodes.OK;
  }
}
