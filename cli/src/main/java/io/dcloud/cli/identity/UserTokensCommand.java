package io.dcloud.cli.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.common.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud users tokens ls | create | revoke ID}: the caller's long-lived API tokens for scripts. */
@Command(name = "tokens", description = "Your API tokens (for DCLOUD_TOKEN in scripts)")
final class UserTokensCommand extends Subcommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Command(name = "ls", aliases = "list", description = "List your tokens (not the tokens themselves)")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/users/me/tokens");
    format.print(io().out(), listing, () -> {
      Table table = new Table("ID", "NAME", "CREATED", "EXPIRES");
      listing.path("tokens").forEach(t -> table.row(EnvironmentTable.text(t, "id"), EnvironmentTable.text(t, "name"),
          EnvironmentTable.text(t, "createdAt"), EnvironmentTable.text(t, "expiresAt")));
      return table;
    });
    return ExitCodes.OK;
  }

  @Command(name = "create", description = "Issue a token; it is printed once")
  int create(@Mixin OutputOption format,
      @Option(names = "--name") String name,
      @Option(names = "--expires-in", paramLabel = "DURATION", description = "e.g. 30d or 12h") String expiresIn) {
    ObjectNode body = JSON.createObjectNode();
    if (name != null) body.put("name", name);
    if (expiresIn != null) body.put("expiresIn", expiresIn);
    JsonNode issued = client().post("/users/me/tokens", body);
    // A table would hide the one thing that matters: the token alone, ready for DCLOUD_TOKEN=$(...).
    if (format.format == OutputOption.Format.table) {
      io().out().println(issued.path("token").asText());
    } else {
      format.print(io().out(), issued, null);
    }
    return ExitCodes.OK;
  }

  @Command(name = "revoke", description = "Revoke one of your tokens")
  int revoke(@Parameters(paramLabel = "ID") String id) {
    client().delete("/users/me/tokens/" + ApiClient.segment(id));
    io().err().println("revoked " + id);
    return ExitCodes.OK;
  }
}
