package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceTopics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the broker to a {@link BrokerAccounts}: the dynamic-security commands in batches, one
 * batch after the other (a later batch may use what an earlier one made), then the bindings
 * documents that changed, retained, so an app reads its bindings only once its rights are in place.
 * Every stage fails on the first command the broker refuses; the caller then syncs in full.
 */
final class AccessSync {
  private static final Logger log = LoggerFactory.getLogger(AccessSync.class);
  private static final byte[] CLEARED = new byte[0];

  private final MqttConnection connection;
  private final DynamicSecurity dynsec;
  private final BrokerSettings settings;

  AccessSync(MqttConnection connection, DynamicSecurity dynsec, BrokerSettings settings) {
    this.connection = connection;
    this.dynsec = dynsec;
    this.settings = settings;
  }

  /** What one sync did, for the log. */
  record Outcome(List<ObjectNode> commands, List<String> documents) {}

  /**
   * A full sync that gave DCloud's admin account its role (once per broker) and then failed: the
   * broker drops every connection of an account whose roles change, this sync's own included, so
   * its last steps are lost. Expected; the next full sync, on the new connection, finishes them.
   */
  static final class RoleGranted extends RuntimeException {
    RoleGranted(String adminUsername, Throwable cause) {
      super("DCloud's admin account " + adminUsername + " was given the role " + AdminRights.ROLE
          + ", and the broker dropped its connections as it does then (" + cause.getMessage() + ")", cause);
    }
  }

  /**
   * Reads the broker's clients and roles, sets the default access and the admin's rights, removes
   * DCloud-managed accounts the registry does not have, and makes the rest as {@code desired} says.
   */
  CompletionStage<Outcome> full(BrokerAccounts desired) {
    List<CompletionStage<JsonNode>> listing = dynsec.executeAll(List.of(
        DynamicSecurity.command("listClients").put("verbose", true),
        DynamicSecurity.command("listRoles").put("verbose", true)));
    return listing.get(0).thenCombine(listing.get(1), BrokerState::fromListing).thenCompose(broker -> {
      List<ObjectNode> commands = new ArrayList<>(AdminRights.commands(broker, settings.adminUsername()));
      commands.addAll(AccountChanges.between(broker, BrokerState.of(desired)));
      List<ObjectNode> grant = AdminRights.grantToAdmin(broker, settings.adminUsername());
      if (!grant.isEmpty()) {
        log.info("giving DCloud's admin account {} the role {} (once per broker): the broker drops the account's "
            + "connections when its roles change, and they reconnect", settings.adminUsername(), AdminRights.ROLE);
      }
      commands.addAll(grant);
      // Services the broker has an account for but the registry has no binding of: their documents are cleared too.
      List<String> stale = broker.clients().keySet().stream()
          .filter(name -> name.startsWith(DeviceTopics.serviceUsername("")))
          .map(name -> name.substring(DeviceTopics.serviceUsername("").length()))
          .filter(service -> !desired.documents().containsKey(service))
          .sorted()
          .toList();
      CompletionStage<Outcome> synced = run(commands).thenCompose(done -> publish(Map.of(), desired.documents(), stale))
          .thenApply(documents -> new Outcome(commands, documents));
      return grant.isEmpty() ? synced : synced.handle((outcome, failure) -> {
        if (failure != null) {
          throw new RoleGranted(settings.adminUsername(), failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure);
        }
        return outcome;
      });
    });
  }

  /** Only what differs between {@code applied} (what the broker has) and {@code desired}. */
  CompletionStage<Outcome> incremental(BrokerAccounts applied, BrokerAccounts desired) {
    List<ObjectNode> commands = AccountChanges.between(BrokerState.of(applied), BrokerState.of(desired));
    List<String> gone = applied.documents().keySet().stream()
        .filter(service -> !desired.documents().containsKey(service)).sorted().toList();
    return run(commands).thenCompose(done -> publish(applied.documents(), desired.documents(), gone))
        .thenApply(documents -> new Outcome(commands, documents));
  }

  private CompletionStage<Void> run(List<ObjectNode> commands) {
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    int size = settings.access().batchSize();
    for (int from = 0; from < commands.size(); from += size) {
      List<ObjectNode> batch = commands.subList(from, Math.min(commands.size(), from + size));
      chain = chain.thenCompose(previous -> all(dynsec.executeAll(batch)));
    }
    return chain;
  }

  private static CompletionStage<Void> all(List<CompletionStage<JsonNode>> stages) {
    return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
  }

  /** Publishes the documents that differ from {@code before} and clears those of {@code gone}; answers which services it did. */
  private CompletionStage<List<String>> publish(Map<String, String> before, Map<String, String> after, List<String> gone) {
    List<CompletionStage<Void>> sent = new ArrayList<>();
    List<String> services = new ArrayList<>();
    after.forEach((service, document) -> {
      if (!Objects.equals(before.get(service), document)) {
        sent.add(connection.publish(DeviceTopics.serviceBindings(service), document.getBytes(StandardCharsets.UTF_8), 1, true));
        services.add(service);
      }
    });
    for (String service : gone) {
      // An empty retained message removes the retained one: a service without bindings has no document.
      sent.add(connection.publish(DeviceTopics.serviceBindings(service), CLEARED, 1, true));
      services.add(service);
    }
    return CompletableFuture.allOf(sent.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(done -> services.stream().sorted().toList());
  }
}
