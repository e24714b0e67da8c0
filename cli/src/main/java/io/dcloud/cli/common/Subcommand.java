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

  /**
   * Runs this noun's subcommand {@code verb} with its defaults: what the noun alone does ({@code
   * dcloud nodes} lists them), as {@code dcloud services} and {@code docker ps} do.
   */
  protected final int runByDefault(String verb) {
    return spec.subcommands().get(verb).execute();
  }
}
