package io.dcloud.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command reaches through the root: the streams and the gateway. */
abstract class Subcommand {
  @Spec
  CommandSpec spec;

  final DcloudCommand root() {
    return (DcloudCommand) spec.root().userObject();
  }

  final CliIo io() {
    return root().io;
  }

  final ApiClient client() {
    return root().client();
  }
}
