package io.dcloud.gateway;

import io.dcloud.catalog.CatalogRegistry;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.template.TemplateRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The actors the gateway talks to. The gateway never calls Docker or a journal itself: every
 * request becomes a message to one of these.
 *
 * @param sharding environment entities, by id
 * @param scheduler the scheduler singleton's proxy (for the node list)
 * @param catalog the library catalog registry's proxy
 * @param templates the template registry's proxy
 * @param directory this gateway's local read side of all environments
 * @param updates the cluster-wide topic of live environment updates (for SSE)
 */
public record GatewayBackends(
    ClusterSharding sharding,
    ActorRef<Scheduler.Command> scheduler,
    ActorRef<CatalogRegistry.Command> catalog,
    ActorRef<TemplateRegistry.Command> templates,
    ActorRef<EnvironmentDirectory.Command> directory,
    ActorRef<Topic.Command<EnvironmentUpdate>> updates) {

  /** The same backends with another scheduler (a test's probe, say). */
  public GatewayBackends withScheduler(ActorRef<Scheduler.Command> otherScheduler) {
    return new GatewayBackends(sharding, otherScheduler, catalog, templates, directory, updates);
  }
}
