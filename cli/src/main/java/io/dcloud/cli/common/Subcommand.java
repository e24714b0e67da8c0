package io.dcloud.cli.common;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command reaches through the root: the streams and the gateway. */
public abstract class Subcommand {
  @Spec
  protected CommandSpec spec;

  protected final CommandRoot root() {
    return (CommandRoot) spec.root().userObject();
  }

  protected final CliIo io() {
    return root().io();
  }

  protected final ApiClient client() {
    return root().client();
  }
}
