package io.dcloud.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.broker.BrokerAccount.Acl;
import io.dcloud.broker.BrokerState.Client;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The dynamic-security commands that turn the broker's DCloud-managed accounts ({@code device-*},
 * {@code service-*}) from one state into another, in an order that never grants more than either
 * state: roles are made or widened before clients use them, clients go before their roles, and a
 * new disabled client gets its password only once it is disabled. Other accounts are left alone.
 */
public final class AccountChanges {
  private AccountChanges() {}

  public static List<ObjectNode> between(BrokerState actual, BrokerState desired) {
    List<ObjectNode> commands = new ArrayList<>();
    for (String role : managed(desired.roles().keySet())) {
      Set<Acl> wanted = desired.roles().get(role);
      Set<Acl> present = actual.roles().get(role);
      if (present == null) {
        ObjectNode create = DynamicSecurity.command("createRole").put("rolename", role);
        sorted(wanted).forEach(acl -> create.withArray("acls").addObject()
            .put("acltype", acl.type()).put("topic", acl.topic()).put("allow", acl.allow()));
        commands.add(create);
      } else {
        sorted(wanted).stream().filter(acl -> !present.contains(acl)).forEach(acl -> {
          if (present.stream().anyMatch(old -> old.type().equals(acl.type()) && old.topic().equals(acl.topic()))) {
            commands.add(removeAcl(role, acl)); // the same topic denied: the broker keeps one ACL per type and topic
          }
          commands.add(addAcl(role, acl));
        });
        sorted(present).stream()
            .filter(acl -> !wanted.contains(acl))
            .filter(acl -> wanted.stream().noneMatch(w -> w.type().equals(acl.type()) && w.topic().equals(acl.topic())))
            .forEach(acl -> commands.add(removeAcl(role, acl)));
      }
    }
    for (String username : managed(desired.clients().keySet())) {
      Client wanted = desired.clients().get(username);
      Client present = actual.clients().get(username);
      if (present == null) {
        commands.addAll(create(username, wanted));
        continue;
      }
      if (!wanted.fingerprint().equals(present.fingerprint())) {
        commands.add(setPassword(username, wanted));
      }
      if (wanted.enabled() != present.enabled()) {
        commands.add(DynamicSecurity.command(wanted.enabled() ? "enableClient" : "disableClient").put("username", username));
      }
      new TreeSet<>(wanted.roles()).stream().filter(role -> !present.roles().contains(role)).forEach(role ->
          commands.add(DynamicSecurity.command("addClientRole").put("username", username).put("rolename", role)));
      new TreeSet<>(present.roles()).stream().filter(role -> !wanted.roles().contains(role)).forEach(role ->
          commands.add(DynamicSecurity.command("removeClientRole").put("username", username).put("rolename", role)));
    }
    managed(actual.clients().keySet()).stream().filter(username -> !desired.clients().containsKey(username))
        .forEach(username -> commands.add(DynamicSecurity.command("deleteClient").put("username", username)));
    managed(actual.roles().keySet()).stream().filter(role -> !desired.roles().containsKey(role))
        .forEach(role -> commands.add(DynamicSecurity.command("deleteRole").put("rolename", role)));
    return commands;
  }

  private static List<ObjectNode> create(String username, Client client) {
    ObjectNode create = DynamicSecurity.command("createClient").put("username", username)
        .put("textdescription", client.fingerprint());
    new TreeSet<>(client.roles()).forEach(role -> create.withArray("roles").addObject().put("rolename", role));
    if (client.enabled()) {
      return List.of(create.put("password", client.password()));
    }
    // Without a password nobody can log in as it until it is disabled.
    return List.of(create, DynamicSecurity.command("disableClient").put("username", username), setPassword(username, client));
  }

  /** The password and its fingerprint at once; the broker drops the client's connection (a rotated secret stops working). */
  private static ObjectNode setPassword(String username, Client client) {
    return DynamicSecurity.command("modifyClient").put("username", username)
        .put("password", client.password()).put("textdescription", client.fingerprint());
  }

  private static ObjectNode addAcl(String role, Acl acl) {
    return DynamicSecurity.command("addRoleACL").put("rolename", role)
        .put("acltype", acl.type()).put("topic", acl.topic()).put("allow", acl.allow());
  }

  private static ObjectNode removeAcl(String role, Acl acl) {
    return DynamicSecurity.command("removeRoleACL").put("rolename", role).put("acltype", acl.type()).put("topic", acl.topic());
  }

  private static TreeSet<String> managed(Collection<String> names) {
    TreeSet<String> result = new TreeSet<>();
    names.stream().filter(BrokerAccount::managed).forEach(result::add);
    return result;
  }

  private static List<Acl> sorted(Set<Acl> acls) {
    return acls.stream()
        .sorted((a, b) -> Objects.compare(a.type() + " " + a.topic(), b.type() + " " + b.topic(), String::compareTo))
        .toList();
  }

  /** Which accounts the commands touch, for the log: "createClient device-a, deleteClient service-b". */
  public static String describe(List<ObjectNode> commands) {
    return String.join(", ", commands.stream()
        .map(command -> command.path("command").asText() + " "
            + (command.has("username") ? command.path("username").asText() : command.path("rolename").asText())
            + (command.has("topic") ? " " + command.path("topic").asText() : ""))
        .toList());
  }
}
