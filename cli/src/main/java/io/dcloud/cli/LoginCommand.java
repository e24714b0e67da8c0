package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Passwords;
import io.dcloud.cli.common.Subcommand;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dcloud login}: signs in and keeps the gateway and the session token in the config file. */
@Command(name = "login", description = "Sign in to a gateway; later commands use its token")
final class LoginCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = {"-u", "--username"}, required = true)
  String username;

  @Option(names = "--password-stdin", description = "Read the password from the first line of stdin")
  boolean passwordStdin;

  @Override
  public Integer call() {
    DcloudCommand root = (DcloudCommand) root();
    URI base = root.gateway(root.store.read().orElse(null));
    String password = Passwords.read(io(), passwordStdin, "Password for " + username + " at " + base + ": ");
    ObjectNode body = JSON.createObjectNode().put("username", username).put("password", password);
    JsonNode session = new ApiClient(base, null).post("/auth/login", body);
    String token = session.path("token").asText(null);
    if (token == null) {
      throw new CliException(ExitCodes.ERROR, "the gateway's login answer has no token");
    }
    root.store.write(new StoredLogin(base.toString(), username, token));
    io().err().println("Signed in to " + base + " as " + username + " (until " + session.path("expiresAt").asText("?") + ")");
    return ExitCodes.OK;
  }
}
