package io.dcloud.cli.env;

import io.dcloud.cli.common.Refs;
import io.dcloud.cli.common.Subcommand;
import picocli.CommandLine.Parameters;

/** A command about one environment, its first argument: an id, a name or the start of an id ({@link Refs}). */
abstract class EnvironmentCommand extends Subcommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The environment: its id, its name, or the start of its id")
  String reference;

  private String id;

  /** The environment's id, resolved once. */
  final String id() {
    if (id == null) {
      id = Refs.resolve(client(), Refs.ENVIRONMENT, reference);
    }
    return id;
  }

  /** Its path in the API. */
  final String path() {
    return EnvCommand.path(id());
  }
}
