package io.dcloud.gateway.environment;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.identity.Caller;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's watch of one environment: the environment as it is, then again after every status
 * change its entity publishes (re-read from the entity, so each element is whole), until it is
 * deleted; served to the client as a stream ref. The subscription is made before the first read, as
 * for the HTTP event stream, so no change falls between the two.
 */
final class ClientWatch {
  private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);

  private final ActorSystem<?> system;
  private final ClusterAsks asks;
  private final int buffer;

  ClientWatch(ActorSystem<?> system, ClusterAsks asks, int buffer) {
    this.system = system;
    this.asks = asks;
    this.buffer = buffer;
  }

  /** 404 (as a failed stage) unless the caller may see it; else the stream, running until the client ends it or it is deleted. */
  CompletionStage<DCloudProtocol.Reply> start(String id, Caller caller) {
    return EnvironmentReplies.view(asks, id, caller).thenApply(known -> {
      log.debug("Environment {}: {} watches it through the client protocol", id, caller.username());
      return new DCloudProtocol.Watching(changes(id, caller).runWith(StreamRefs.sourceRef(), system));
    });
  }

  private Source<DCloudProtocol.Environment, NotUsed> changes(String id, Caller caller) {
    Source<DCloudProtocol.Environment, NotUsed> live = ActorSource.<EnvironmentUpdate>actorRef(
            update -> false, update -> Optional.empty(), buffer, OverflowStrategy.dropHead())
        .mapMaterializedValue(subscriber -> {
          asks.updates().tell(Topic.subscribe(subscriber));
          return NotUsed.getInstance();
        })
        .filter(update -> update.environmentId().equals(id) && update.kind() == EnvironmentUpdate.Kind.STATUS)
        .mapAsync(1, update -> EnvironmentReplies.view(asks, id, caller))
        .map(ClientReplies::environment);
    Source<DCloudProtocol.Environment, NotUsed> current = Source.lazyCompletionStage(() -> EnvironmentReplies.view(asks, id, caller))
        .map(ClientReplies::environment)
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
    return current
        .concat(live)
        .takeWhile(environment -> !EnvironmentStatus.DELETED.name().equals(environment.status()), true);
  }
}
