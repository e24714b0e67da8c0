package io.dcloud.cli.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.common.Table;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dcloud audit [--user U] [--since T] [--limit N]}: who did what, when, from where (admins). */
@Command(name = "audit", description = "Who did what, when and from where, newest first (admins)")
public final class AuditCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Option(names = "--user", paramLabel = "USER", description = "Only this user's requests")
  String user;

  @Option(names = "--since", paramLabel = "INSTANT", description = "An ISO-8601 instant (default: the last day; 31 days back at most)")
  String since;

  @Option(names = "--limit", paramLabel = "N", description = "At most N entries (default 1000)")
  Integer limit;

  @Override
  public Integer call() {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("user", user);
    query.put("since", since);
    query.put("limit", limit);
    JsonNode audit = client().get("/audit" + ApiClient.query(query));
    output.print(io().out(), audit, () -> {
      Table table = new Table("AT", "USER", "ACTION", "TARGET", "FROM", "OUTCOME");
      audit.path("entries").forEach(entry -> table.row(EnvironmentTable.text(entry, "at"),
          EnvironmentTable.text(entry, "actor"), EnvironmentTable.text(entry, "action"),
          EnvironmentTable.text(entry, "target"), EnvironmentTable.text(entry, "address"),
          EnvironmentTable.text(entry, "outcome")));
      return table;
    });
    return ExitCodes.OK;
  }
}
