package io.dcloud.gateway.common;

import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.FoldedEnvironments;
import io.dcloud.identity.UserRegistry;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.template.TemplateRegistry;
import io.dcloud.usage.UsageReports;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The actors the gateway talks to. The gateway never calls Docker or a journal itself: every
 * request becomes a message to one of these.
 *
 * @param environments the environment entity of an id (sharded; a test may answer with a probe)
 * @param scheduler the scheduler singleton's proxy (for the node list)
 * @param catalog the library catalog registry's proxy
 * @param templates the template registry's proxy
 * @param directory this gateway's local read side of all environments
 * @param folded what that read side has folded, read without a message
 * @param updates the cluster-wide topic of live environment updates (for SSE)
 * @param users the user registry singleton's proxy
 * @param quotas the quota ledger singleton's proxy
 * @param datasets the dataset entities, index and blob store
 * @param services the service entities and index
 * @param jobs the inference jobs' entities and index
 * @param devices the device registry, commands, readings and broker secrets
 * @param usage the monthly usage reports
 */
public record GatewayBackends(
    Function<String, EntityRef<EnvironmentEntity.Command>> environments,
    ActorRef<Scheduler.Command> scheduler,
    ActorRef<CatalogRegistry.Command> catalog,
    ActorRef<TemplateRegistry.Command> templates,
    ActorRef<EnvironmentDirectory.Command> directory,
    FoldedEnvironments folded,
    ActorRef<Topic.Command<EnvironmentUpdate>> updates,
    ActorRef<UserRegistry.Command> users,
    ActorRef<QuotaLedger.Command> quotas,
    DatasetBackends datasets,
    ServiceBackends services,
    JobBackends jobs,
    DeviceBackends devices,
    UsageReports usage) {

  /** The backends of a node: environments are the entities sharding starts wherever their shard lives. */
  public GatewayBackends(
      ClusterSharding sharding,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<CatalogRegistry.Command> catalog,
      ActorRef<TemplateRegistry.Command> templates,
      ActorRef<EnvironmentDirectory.Command> directory,
      FoldedEnvironments folded,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<UserRegistry.Command> users,
      ActorRef<QuotaLedger.Command> quotas,
      DatasetBackends datasets,
      ServiceBackends services,
      JobBackends jobs,
      DeviceBackends devices,
      UsageReports usage) {
    this(id -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id), scheduler, catalog, templates, directory, folded, updates,
        users, quotas, datasets, services, jobs, devices, usage);
  }

  /** The same backends with another scheduler (a test's probe, say). */
  public GatewayBackends withScheduler(ActorRef<Scheduler.Command> otherScheduler) {
    return new GatewayBackends(
        environments, otherScheduler, catalog, templates, directory, folded, updates, users, quotas, datasets, services, jobs, devices, usage);
  }

  /** The same backends with another user registry (a test's probe, say). */
  public GatewayBackends withUsers(ActorRef<UserRegistry.Command> otherUsers) {
    return new GatewayBackends(
        environments, scheduler, catalog, templates, directory, folded, updates, otherUsers, quotas, datasets, services, jobs, devices, usage);
  }

  /** The same backends with other environment entities (a test's silent probe, say). */
  public GatewayBackends withEnvironments(Function<String, EntityRef<EnvironmentEntity.Command>> otherEnvironments) {
    return new GatewayBackends(
        otherEnvironments, scheduler, catalog, templates, directory, folded, updates, users, quotas, datasets, services, jobs, devices, usage);
  }
}
