package io.dcloud.cli;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code dcloud logout}: the gateway refuses the token from now on, and the config file forgets it. */
@Command(name = "logout", description = "Sign out: revoke the stored token and forget it")
final class LogoutCommand extends Subcommand implements Callable<Integer> {

  @Override
  public Integer call() {
    DcloudCommand root = (DcloudCommand) root();
    StoredLogin stored = root.store.read().orElse(null);
    if (stored == null || stored.token() == null) {
      io().err().println("Not signed in");
      return ExitCodes.OK;
    }
    try {
      new ApiClient(ApiClient.normalize(stored.api()), stored.token()).post("/auth/logout", null);
    } catch (CliException e) {
      if (e.exitCode() != ExitCodes.UNAUTHENTICATED) {
        // The token is still good on the gateway: keep it, so that logout can be tried again.
        throw e;
      }
    }
    root.store.write(new StoredLogin(stored.api(), stored.username(), null));
    io().err().println("Signed out of " + stored.api());
    return ExitCodes.OK;
  }
}
