package io.dcloud.cli.env;

import io.dcloud.cli.common.Subcommand;
import picocli.CommandLine.Parameters;

/** A command about one environment, its first argument: an id, a name or the start of an id ({@link EnvironmentRefs}). */
abstract class EnvironmentCommand extends Subcommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The environment: its id, its name, or the start of its id")
  String reference;

  private String id;

  /** The environment's id, resolved once. */
  final String id() {
    if (id == null) {
      id = EnvironmentRefs.resolve(client(), reference);
    }
    return id;
  }

  /** Its path in the API. */
  final String path() {
    return EnvCommand.path(id());
  }
}
