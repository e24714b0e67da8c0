package io.dcloud.cli;

import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Parses and runs one command line; every failure becomes one line on stderr and an exit status. */
public final class Cli {
  private Cli() {}

  public static int run(CliIo io, String... args) {
    CommandLine commandLine = commandLine(io);
    int status = commandLine.execute(args);
    io.out().flush();
    io.err().flush();
    return status;
  }

  static CommandLine commandLine(CliIo io) {
    CommandLine commandLine = new CommandLine(new DcloudCommand(io))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new PrintWriter(io.out(), true))
        .setErr(new PrintWriter(io.err(), true));
    // A noun passes what it does not know to its default verb (Noun); picocli lets its verbs take
    // anything too, and they must not: an unknown option of a verb stays the usage error it is.
    commandLine.getSubcommands().values().stream().filter(command -> command.getCommand() instanceof Noun)
        .forEach(noun -> noun.getSubcommands().values().forEach(verb -> verb.setUnmatchedArgumentsAllowed(false)));
    commandLine.setExecutionExceptionHandler((failure, failed, parsed) -> {
      if (failure instanceof CliException known) {
        io.err().println("dcloud: " + known.getMessage());
        return known.exitCode();
      }
      io.err().println("dcloud: " + failure);
      return ExitCodes.ERROR;
    });
    return commandLine;
  }
}
