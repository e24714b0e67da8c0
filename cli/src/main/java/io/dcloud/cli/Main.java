package io.dcloud.cli;

import io.dcloud.cli.common.CliIo;

/** {@code java -jar dcloud-cli.jar <noun> <verb> ...}: what {@code ./dcloud} runs for any word it does not know. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(CliIo.system(), args));
  }
}
