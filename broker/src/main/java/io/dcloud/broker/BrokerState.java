package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.broker.BrokerAccount.Acl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Clients and roles as the dynamic-security plugin holds them: read from the broker
 * ({@link #fromListing}) on a full sync, or what DCloud last applied ({@link #of}) between changes.
 *
 * @param clients by user name
 * @param roles each role's rights, by role name
 */
public record BrokerState(Map<String, Client> clients, Map<String, Set<Acl>> roles) {

  public BrokerState {
    clients = Map.copyOf(clients);
    roles = Map.copyOf(roles);
  }

  /**
   * {@code password}: null when read from the broker, which never tells it; {@code fingerprint}
   * tells whether it is current instead: DCloud keeps a hash of the password it set in the client's
   * text description, so a full sync sets again only passwords that changed (setting one drops
   * the client's connection).
   */
  public record Client(String password, String fingerprint, boolean enabled, Set<String> roles) {
    public Client {
      roles = Set.copyOf(roles);
    }

    public static Client of(String username, String password, boolean enabled, Set<String> roles) {
      return new Client(password, BrokerState.fingerprint(username, password), enabled, roles);
    }
  }

  /** What DCloud writes in a managed client's text description: a short hash of its name and password. */
  public static String fingerprint(String username, String password) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((username + ":" + password).getBytes(StandardCharsets.UTF_8));
      return "dcloud password " + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The accounts as clients, each with its role named after it. */
  public static BrokerState of(BrokerAccounts accounts) {
    Map<String, Client> clients = new HashMap<>();
    Map<String, Set<Acl>> roles = new HashMap<>();
    accounts.accounts().values().forEach(account -> {
      clients.put(account.username(),
          Client.of(account.username(), account.password(), account.enabled(), Set.of(account.username())));
      roles.put(account.username(), account.acls());
    });
    return new BrokerState(clients, roles);
  }

  /** From the {@code data} of {@code listClients} and {@code listRoles}, both {@code verbose}. */
  public static BrokerState fromListing(JsonNode listClients, JsonNode listRoles) {
    Map<String, Client> clients = new HashMap<>();
    for (JsonNode client : listClients.path("clients")) {
      Set<String> roles = new HashSet<>();
      client.path("roles").forEach(role -> roles.add(role.path("rolename").asText()));
      clients.put(client.path("username").asText(), new Client(
          null, client.path("textdescription").asText(""), !client.path("disabled").asBoolean(false), roles));
    }
    Map<String, Set<Acl>> roles = new HashMap<>();
    for (JsonNode role : listRoles.path("roles")) {
      Set<Acl> acls = new HashSet<>();
      role.path("acls").forEach(acl -> acls.add(
          new Acl(acl.path("acltype").asText(), acl.path("topic").asText(), acl.path("allow").asBoolean(false))));
      roles.put(role.path("rolename").asText(), acls);
    }
    return new BrokerState(clients, roles);
  }
}
