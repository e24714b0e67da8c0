package io.dcloud.cli;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud completion bash}: bash's completion of the CLI's nouns, verbs, options and their fixed
 * values (output formats), as {@code kubectl completion bash} prints its own, to source from a shell's
 * startup file. Made from the commands themselves by picocli, so it never lags a new verb. The shell
 * is an argument so that another can be added without breaking a startup file.
 */
@Command(name = "completion", description = "Print bash's completion script: source <(dcloud completion bash)")
final class CompletionCommand extends Subcommand implements Callable<Integer> {
  enum Shell { bash }

  @Parameters(paramLabel = "SHELL", description = "bash")
  Shell shell;

  @Override
  public Integer call() {
    io().out().print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
    return ExitCodes.OK;
  }
}
