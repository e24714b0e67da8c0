package io.dcloud.gateway.common;

import io.dcloud.ask.Asks;
import io.dcloud.catalog.Catalog;
import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.identity.Quota;
import io.dcloud.identity.UserRegistry;
import io.dcloud.node.NodeProtocol;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementPreview;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.template.TemplateRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Every question the gateway asks the cluster, each bounded by {@code dcloud.ask-timeout} unless
 * said otherwise. A timeout fails the stage with a {@link java.util.concurrent.TimeoutException},
 * which the exception handler answers with 503. Answers continue on the actor system's dispatcher
 * (see {@link Asks}).
 */
public final class ClusterAsks {
  private final ActorSystem<?> system;
  private final GatewayBackends backends;
  private final Duration timeout;

  public ClusterAsks(ActorSystem<?> system, GatewayBackends backends, Duration timeout) {
    this.system = system;
    this.backends = backends;
    this.timeout = timeout;
  }

  /** How long an ask waits (see {@code dcloud.ask-timeout}), for saying so when one did not answer. */
  public Duration timeout() {
    return timeout;
  }

  public ActorSystem<?> system() {
    return system;
  }

  public DatasetBackends datasets() {
    return backends.datasets();
  }

  public ActorRef<Topic.Command<EnvironmentUpdate>> updates() {
    return backends.updates();
  }

  /** Asks the entity of {@code environmentId}; sharding starts it (in whichever node owns its shard) if needed. */
  public <R> CompletionStage<R> environment(String environmentId, Function<ActorRef<R>, EnvironmentEntity.Command> command) {
    return environment(environmentId, command, timeout);
  }

  /** The same, waiting {@code within} instead of the ask timeout (a read that has another answer to fall back on). */
  public <R> CompletionStage<R> environment(
      String environmentId, Function<ActorRef<R>, EnvironmentEntity.Command> command, Duration within) {
    return Asks.completedOn(
        backends.environments().apply(environmentId).ask(command::apply, within), system.executionContext());
  }

  /** {@code owner} null lists every owner's (for admins); with it, those shared with any of {@code groups} too. */
  public CompletionStage<EnvironmentDirectory.Listing> listEnvironments(
      EnvironmentStatus status, String name, String node, String owner, java.util.Set<String> groups) {
    return listEnvironments(status, name, node, null, owner, groups, null, EnvironmentDirectory.Page.ALL);
  }

  /**
   * One page of the listing: at most {@code page}'s limit, after its position; {@code idPrefix} null:
   * any id; {@code ownedBy} null: any owner's of those {@code owner} and {@code groups} see.
   */
  public CompletionStage<EnvironmentDirectory.Listing> listEnvironments(EnvironmentStatus status, String name, String node,
      String idPrefix, String owner, java.util.Set<String> groups, String ownedBy, EnvironmentDirectory.Page page) {
    return ask(backends.directory(), replyTo ->
        new EnvironmentDirectory.ListEnvironments(status, name, node, idPrefix, owner, groups, ownedBy, page, replyTo));
  }

  /** Users' requests on environments since {@code since} as this gateway's read side has them, of {@code actor} if not null. */
  public CompletionStage<List<EnvironmentDirectory.AuditLine>> environmentRequests(Instant since, String actor) {
    return this.<EnvironmentDirectory.Command, EnvironmentDirectory.AuditLines>ask(backends.directory(),
        replyTo -> new EnvironmentDirectory.GetAudit(since, actor, replyTo)).thenApply(EnvironmentDirectory.AuditLines::lines);
  }

  public CompletionStage<EnvironmentDirectory.Usage> usage(String owner) {
    return ask(backends.directory(), replyTo -> new EnvironmentDirectory.GetUsage(owner, java.util.Set.of(), java.util.Set.of(), replyTo));
  }

  public CompletionStage<QuotaLedger.Decision> admit(
      String owner, String environmentId, Resources resources, boolean created, Quota quota) {
    return ask(backends.quotas(), replyTo -> new QuotaLedger.Admit(owner, environmentId, resources, created, quota, replyTo));
  }

  /**
   * Whether {@code environments} new environments holding {@code resources} in all would pass;
   * {@code hold} null holds nothing (a dry run), else what the service's replicas lack is held.
   */
  public CompletionStage<QuotaLedger.Decision> checkQuota(
      String owner, Resources resources, int environments, Quota quota, QuotaLedger.ServiceHold hold) {
    return ask(backends.quotas(), replyTo -> new QuotaLedger.Check(owner, resources, environments, quota, hold, replyTo));
  }

  /** A deleted service's quota hold goes at once (see {@link QuotaLedger.ReleaseService}); nothing answers. */
  public void releaseServiceHold(String service) {
    backends.quotas().tell(new QuotaLedger.ReleaseService(service));
  }

  public CompletionStage<UserRegistry.Reply> users(Function<ActorRef<UserRegistry.Reply>, UserRegistry.Command> command) {
    return ask(backends.users(), command);
  }

  /**
   * This gateway's read side of one environment: local, and read without a message, so it answers
   * at once whatever the shards and the directory's mailbox do.
   */
  public EnvironmentDirectory.GetReply folded(String environmentId) {
    return backends.folded().get(environmentId);
  }

  public CompletionStage<Catalog> catalog() {
    return ask(backends.catalog(), CatalogRegistry.GetCatalog::new);
  }

  public CompletionStage<Done> replaceCatalog(Catalog catalog) {
    return ask(backends.catalog(), replyTo -> new CatalogRegistry.ReplaceCatalog(catalog, replyTo));
  }

  public <R> CompletionStage<R> templates(Function<ActorRef<R>, TemplateRegistry.Command> command) {
    return ask(backends.templates(), command);
  }

  public CompletionStage<Scheduler.Nodes> nodes() {
    return ask(backends.scheduler(), Scheduler.GetNodes::new);
  }

  public CompletionStage<Scheduler.NodeAnswer> nodeCommand(
      BiFunction<String, ActorRef<Scheduler.NodeAnswer>, Scheduler.Command> command, String nodeId) {
    return ask(backends.scheduler(), replyTo -> command.apply(nodeId, replyTo));
  }

  /** A running environment's new size, weighed (and held when it fits) by the scheduler on its node. */
  public CompletionStage<Scheduler.Feasibility> feasibility(PlacementRequest request) {
    return ask(backends.scheduler(), replyTo -> new Scheduler.CheckFeasible(request, replyTo));
  }

  public CompletionStage<PlacementPreview> placementPreview(PlacementRequest request) {
    return ask(backends.scheduler(), replyTo -> new Scheduler.Preview(request, replyTo));
  }

  public DeviceBackends devices() {
    return backends.devices();
  }

  public <R> CompletionStage<R> deviceRegistry(Function<ActorRef<R>, DeviceRegistry.Command> command) {
    return ask(backends.devices().registry(), command);
  }

  /**
   * Asks node {@code nodeId}'s own actor (found through the receptionist, each time: an operator's
   * occasional question); empty when no node of that id is registered now.
   */
  public <R> CompletionStage<Optional<R>> node(String nodeId, Function<ActorRef<R>, NodeProtocol.Command> command) {
    ServiceKey<NodeProtocol.Command> key = NodeProtocol.serviceKey(nodeId);
    return this.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(), replyTo -> Receptionist.find(key, replyTo))
        .thenCompose(listing -> listing.getServiceInstances(key).stream().findFirst()
            .map(node -> this.<NodeProtocol.Command, R>ask(node, command).thenApply(Optional::of))
            .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty())));
  }

  /** Tells node {@code nodeId}'s own actor {@code command}, unanswered; nothing when no node of that id is registered now. */
  public void tellNode(String nodeId, NodeProtocol.Command command) {
    ServiceKey<NodeProtocol.Command> key = NodeProtocol.serviceKey(nodeId);
    this.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(), replyTo -> Receptionist.find(key, replyTo))
        .thenAccept(listing -> listing.getServiceInstances(key).forEach(node -> node.tell(command)));
  }

  private <C, R> CompletionStage<R> ask(ActorRef<C> target, Function<ActorRef<R>, C> command) {
    return Asks.completedOn(AskPattern.ask(target, command::apply, timeout, system.scheduler()), system.executionContext());
  }
}
