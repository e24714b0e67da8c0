package io.dcloud.gateway;

import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentView;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Where each image build is ("step 3/9"), as this gateway heard from the nodes' progress lines, so
 * {@code GET /environments/{id}} can show it during BUILDING (the entity does not persist steps: a
 * build's lines are many and fleeting). A gateway started mid-build knows the step from the next one.
 */
final class BuildProgress {

  /** {@code {"step": 3, "steps": 9}}. */
  record Progress(int step, int steps) {}

  private final Map<String, Progress> building = new ConcurrentHashMap<>();

  BuildProgress(ActorSystem<?> system, ActorRef<Topic.Command<EnvironmentUpdate>> updates) {
    ActorRef<EnvironmentUpdate> follower = system.systemActorOf(
        Behaviors.receiveMessage(update -> {
          heard(update);
          return Behaviors.same();
        }),
        "build-progress-" + UUID.randomUUID(), Props.empty());
    updates.tell(Topic.subscribe(follower));
  }

  private void heard(EnvironmentUpdate update) {
    if (update.kind() == EnvironmentUpdate.Kind.STATUS) {
      // A new status ends the build, whichever way it went: the steps are history.
      building.remove(update.environmentId());
    } else if (update.step() != null && update.steps() != null) {
      building.put(update.environmentId(), new Progress(update.step(), update.steps()));
    }
  }

  /** The build's step while {@code view} is BUILDING and a step was heard; null otherwise. */
  Progress of(EnvironmentView view) {
    return view.status() == EnvironmentStatus.BUILDING ? building.get(view.id()) : null;
  }
}
