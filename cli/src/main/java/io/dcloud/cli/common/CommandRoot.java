package io.dcloud.cli.common;

/** What every subcommand reaches through the root command: the streams and a client of the gateway. */
public interface CommandRoot {
  CliIo io();

  /** A client of the chosen gateway with the caller's token; fails with exit 5 when there is none. */
  ApiClient client();
}
