package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentUpdate;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/** Every environment update this gateway hears, handed to a plain callback on an actor of its own. */
final class UpdatesFollower {
  private UpdatesFollower() {}

  /** Subscribes {@code heard} (called one update at a time) to {@code updates}; {@code name} names its actor. */
  static void follow(
      ActorSystem<?> system, ActorRef<Topic.Command<EnvironmentUpdate>> updates, String name,
      Consumer<EnvironmentUpdate> heard) {
    ActorRef<EnvironmentUpdate> follower = system.systemActorOf(
        Behaviors.receiveMessage(update -> {
          heard.accept(update);
          return Behaviors.same();
        }),
        name + "-" + UUID.randomUUID(), Props.empty());
    updates.tell(Topic.subscribe(follower));
  }
}
