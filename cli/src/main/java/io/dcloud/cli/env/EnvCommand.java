package io.dcloud.cli.env;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.Noun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code dcloud env ...}: the caller's environments. */
@Command(name = "env", description = "Environments: create, list (the default), follow, run commands in, copy files to and from",
    subcommands = {
        EnvCreateCommand.class, EnvListCommand.class, EnvGetCommand.class, EnvLogsCommand.class,
        EnvExecCommand.class, EnvLifecycleCommands.Stop.class, EnvLifecycleCommands.Start.class, EnvLifecycleCommands.Restart.class,
        EnvLifecycleCommands.Remove.class, EnvOpenCommand.class, EnvCopyCommand.class, EnvStatsCommand.class,
        EnvInspectCommands.Dockerfile.class, EnvInspectCommands.Manifest.class, EnvInspectCommands.Secrets.class,
        EnvShareCommand.class, EnvResizeCommand.class, EnvWaitCommand.class})
public final class EnvCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }
  static String path(String id) {
    return "/environments/" + ApiClient.segment(id);
  }
}
