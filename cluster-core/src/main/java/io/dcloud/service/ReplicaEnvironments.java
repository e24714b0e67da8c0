package io.dcloud.service;

import io.dcloud.environment.EnvironmentEntity;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one service's entity tells its replicas' environment entities: to be created, started again,
 * deleted, or asked how they are. Their answers come back through the entity's adapter.
 */
final class ReplicaEnvironments {
  private static final Logger log = LoggerFactory.getLogger(ReplicaEnvironments.class);

  private final String service;
  private final BiConsumer<String, EnvironmentEntity.Command> environments;
  private final ActorRef<EnvironmentEntity.Reply> answers;
  private final ReplicaSightings sightings;

  ReplicaEnvironments(String service, BiConsumer<String, EnvironmentEntity.Command> environments,
      ActorRef<EnvironmentEntity.Reply> answers, ReplicaSightings sightings) {
    this.service = service;
    this.environments = environments;
    this.answers = answers;
    this.sightings = sightings;
  }

  /** After the events are recorded: create what was added, delete what is retiring, forget what is gone. */
  void tell(ServiceState state, List<ServiceEntity.Event> events) {
    for (ServiceEntity.Event event : events) {
      if (event instanceof ServiceEntity.ReplicaAdded added) {
        create(state, state.replica(added.environmentId()));
      } else if (event instanceof ServiceEntity.ReplicaRetiring retiring) {
        log.info("Service {}: retiring replica {} ({})", service, retiring.environmentId(), retiring.reason());
        delete(retiring.environmentId());
      } else if (event instanceof ServiceEntity.ReplicaGone gone) {
        sightings.forget(gone.environmentId());
      }
    }
  }

  void create(ServiceState state, ServiceState.Replica replica) {
    if (replica == null || replica.retiring()) {
      return;
    }
    log.debug("Service {}: creating replica {} ({})", service, replica.ordinal(), replica.id());
    environments.accept(replica.id(), new EnvironmentEntity.Create(
        Reconciliation.replicaSpec(state.definition(), replica.ordinal()), state.definition().recipe(), answers,
        // No deadline: the service reconciles until its replica exists, so a late create is still wanted.
        state.owner(), null));
  }

  void delete(String id) {
    environments.accept(id, new EnvironmentEntity.Delete(answers));
  }

  void start(String id) {
    environments.accept(id, new EnvironmentEntity.Start(answers));
  }

  void ask(String id) {
    environments.accept(id, new EnvironmentEntity.Get(answers));
  }
}
