package io.dcloud.cli.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Passwords;
import io.dcloud.cli.common.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud users ...}: what the API's /users routes offer (all but {@code me} and {@code tokens} are for admins). */
@Command(name = "users", description = "Users: list (the default), show, create, change, delete, set quotas (admins); yourself",
    subcommands = UserTokensCommand.class)
public final class UsersCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }
  private static final ObjectMapper JSON = new ObjectMapper();

  @Command(name = "ls", aliases = "list", description = "List all users")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/users");
    format.print(io().out(), listing, () -> table(listing.path("users")));
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show one user with roles, groups, quota and usage")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    return print(format, client().get(user(name)));
  }

  @Command(name = "me", description = "Show yourself")
  int me(@Mixin OutputOption format) {
    return print(format, client().get("/users/me"));
  }

  @Command(name = "create", description = "Make a user; the password is asked (or read with --password-stdin)")
  int create(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--role", paramLabel = "ROLE", description = "admin, platform-configurer, data-scientist, app-developer, end-user (repeatable)")
      List<String> roles,
      @Option(names = "--password-stdin") boolean passwordStdin,
      @Option(names = "--inherit-deleted", description = "NAME was a deleted user's: the new user gets what they owned"
          + " (environments, datasets, services, jobs, volumes); refused without it") boolean inheritDeleted) {
    ObjectNode body = JSON.createObjectNode().put("username", name)
        .put("password", Passwords.read(io(), passwordStdin, "Password for " + name + ": "));
    if (roles != null) {
      roles.forEach(body.putArray("roles")::add);
    }
    if (inheritDeleted) {
      body.put("inheritDeleted", true);
    }
    return print(format, client().post("/users", body));
  }

  @Command(name = "set", description = "Change a user's roles, disabled flag or password")
  int set(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--role", paramLabel = "ROLE", description = "The user's roles from now on (repeatable)") List<String> roles,
      @Option(names = "--disabled", paramLabel = "true|false", arity = "1") Boolean disabled,
      @Option(names = "--password", description = "Ask for a new password") boolean password,
      @Option(names = "--password-stdin", description = "Read a new password from stdin") boolean passwordStdin) {
    ObjectNode body = JSON.createObjectNode();
    if (roles != null) {
      roles.forEach(body.putArray("roles")::add);
    }
    if (disabled != null) {
      body.put("disabled", disabled);
    }
    if (password || passwordStdin) {
      body.put("password", Passwords.read(io(), passwordStdin, "New password for " + name + ": "));
    }
    if (body.isEmpty()) {
      throw CliException.usage("nothing to change: give --role, --disabled or --password");
    }
    return print(format, client().patch(user(name), body));
  }

  @Command(name = "rm", aliases = "delete",
      description = "Delete a user: their environments are stopped first; all they own stays under their name")
  int rm(@Parameters(paramLabel = "NAME") String name) {
    JsonNode deleted = client().delete(user(name));
    List<String> stopped = new ArrayList<>();
    deleted.path("stoppedEnvironments").forEach(id -> stopped.add(id.asText()));
    io().err().println("deleted " + name + (stopped.isEmpty() ? ""
        : "; stopped their " + stopped.size() + " environment(s): " + String.join(", ", stopped)));
    return ExitCodes.OK;
  }

  @Command(name = "quota", description = "Set the user's own quota (over their roles'), or --clear it")
  int quota(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--cpu", paramLabel = "CORES", description = "CPU cores at once, e.g. 4 or 1500m") String cpu,
      @Option(names = "--ram", paramLabel = "SIZE", description = "Memory at once, e.g. 16G") String ram,
      @Option(names = "--gpu", paramLabel = "N", description = "GPUs at once") Integer gpu,
      @Option(names = "--storage", paramLabel = "SIZE", description = "Their environments' storage, stopped ones too, e.g. 100G") String storage,
      @Option(names = "--environments", paramLabel = "N", description = "Environments at once (a service's replicas count)")
      Integer environments,
      @Option(names = "--clear", description = "Back to the quota of the user's roles") boolean clear) {
    if (clear) {
      return print(format, client().delete(user(name) + "/quota"));
    }
    ObjectNode body = JSON.createObjectNode();
    if (cpu != null) body.put("cpu", cpu);
    if (ram != null) body.put("ram", ram);
    if (gpu != null) body.put("gpu", gpu);
    if (storage != null) body.put("storage", storage);
    if (environments != null) body.put("environments", environments);
    if (body.isEmpty()) {
      throw CliException.usage("give --cpu, --ram, --gpu, --storage or --environments, or --clear");
    }
    return print(format, client().put(user(name) + "/quota", body));
  }

  private static String user(String name) {
    return "/users/" + ApiClient.segment(name);
  }

  /** The user; then, where the answer has their usage (themselves, or an admin's look), it against their quota. */
  private int print(OutputOption format, JsonNode user) {
    format.print(io().out(), user, () -> table(List.of(user)));
    if (format.format == OutputOption.Format.table && user.has("usage")) {
      io().out().println();
      usage(user).print(io().out());
    }
    return ExitCodes.OK;
  }

  /** Each resource's use against its limit, as {@code kubectl describe resourcequota} shows them ("-": no limit). */
  private static Table usage(JsonNode user) {
    Table table = new Table("RESOURCE", "USED", "QUOTA");
    for (String resource : List.of("cpu", "ram", "gpu", "storage", "environments")) {
      String limit = EnvironmentTable.text(user.path("quota"), resource);
      table.row(resource, EnvironmentTable.text(user.path("usage"), resource), limit == null ? "-" : limit);
    }
    return table;
  }

  private static Table table(Iterable<JsonNode> users) {
    Table table = new Table("USERNAME", "ROLES", "GROUPS", "SOURCE", "DISABLED");
    for (JsonNode user : users) {
      // SOURCE: built-in, or the directory that signs the user in (ldap).
      String source = EnvironmentTable.text(user, "source");
      table.row(EnvironmentTable.text(user, "username"), joined(user.path("roles")), joined(user.path("groups")),
          source == null ? "-" : source, user.path("disabled").asBoolean());
    }
    return table;
  }

  private static String joined(JsonNode array) {
    List<String> items = new ArrayList<>();
    array.forEach(item -> items.add(item.asText()));
    return String.join(",", items);
  }
}
