package io.dcloud.cli.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud groups ...}: groups of users for labs and projects (admins manage them; members read theirs). */
@Command(name = "groups", description = "Groups of users: list yours (the default; admins: all), show one; create, set members, delete (admins)")
public final class GroupsCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }
  @Command(name = "ls", aliases = "list", description = "List your groups (an admin's list has all)")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/groups");
    format.print(io().out(), listing, () -> table(listing.path("groups")));
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show one group and its members")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    return print(format, client().get(group(name)));
  }

  @Command(name = "create", description = "Make a group")
  int create(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--member", paramLabel = "USER", description = "A member (repeatable)") List<String> members,
      @Option(names = "--inherit-deleted", description = "NAME was a deleted group's: what was shared with it"
          + " (environments, datasets) is shared with the new group; refused without it") boolean inheritDeleted) {
    ObjectNode body = members(members).put("name", name);
    if (inheritDeleted) {
      body.put("inheritDeleted", true);
    }
    return print(format, client().post("/groups", body));
  }

  @Command(name = "set", description = "Replace a group's members (a dropped member is signed out)")
  int set(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--member", paramLabel = "USER", description = "A member from now on (repeatable; none: empty)")
      List<String> members) {
    return print(format, client().patch(group(name), members(members)));
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a group (its members are signed out)")
  int rm(@Parameters(paramLabel = "NAME") String name) {
    client().delete(group(name));
    io().err().println("deleted group " + name);
    return ExitCodes.OK;
  }

  private static ObjectNode members(List<String> members) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    var list = body.putArray("members");
    if (members != null) {
      members.forEach(list::add);
    }
    return body;
  }

  private static String group(String name) {
    return "/groups/" + ApiClient.segment(name);
  }

  private int print(OutputOption format, JsonNode group) {
    format.print(io().out(), group, () -> table(List.of(group)));
    return ExitCodes.OK;
  }

  private static Table table(Iterable<JsonNode> groups) {
    Table table = new Table("NAME", "MEMBERS", "CREATED");
    for (JsonNode group : groups) {
      List<String> members = new java.util.ArrayList<>();
      group.path("members").forEach(member -> members.add(member.asText()));
      table.row(EnvironmentTable.text(group, "name"), String.join(",", members), EnvironmentTable.text(group, "createdAt"));
    }
    return table;
  }
}
