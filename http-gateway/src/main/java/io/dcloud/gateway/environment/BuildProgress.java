package io.dcloud.gateway.environment;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Where each image build is ("step 3/9"), as this gateway heard from the nodes' progress lines, so
 * {@code GET /environments/{id}} can show it during BUILDING (the entity does not persist steps: a
 * build's lines are many and fleeting). A gateway started mid-build knows the step from the next one.
 * The same for a node's fetch of an environment's datasets during PREPARING: bytes of the total.
 */
final class BuildProgress {

  /** {@code {"step": 3, "steps": 9}} while BUILDING, {@code {"bytes": 1048576, "totalBytes": 4194304}} while PREPARING. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Progress(Integer step, Integer steps, Long bytes, Long totalBytes) {
    Progress(int step, int steps) {
      this(step, steps, null, null);
    }

    Progress(long bytes, long totalBytes) {
      this(null, null, bytes, totalBytes);
    }
  }

  private final Map<String, Progress> building = new ConcurrentHashMap<>();

  BuildProgress(ActorSystem<?> system, ActorRef<Topic.Command<EnvironmentUpdate>> updates) {
    UpdatesFollower.follow(system, updates, "build-progress", this::heard);
  }

  private void heard(EnvironmentUpdate update) {
    Progress progress = of(update);
    if (update.kind() == EnvironmentUpdate.Kind.STATUS) {
      // A new status ends the build, whichever way it went: the steps are history.
      building.remove(update.environmentId());
    } else if (progress != null) {
      building.put(update.environmentId(), progress);
    }
  }

  /** The progress {@code update} tells of (a build step, or bytes of datasets fetched); null when none. */
  static Progress of(EnvironmentUpdate update) {
    if (update.step() != null && update.steps() != null) {
      return new Progress(update.step(), update.steps());
    }
    return update.bytes() != null && update.totalBytes() != null ? new Progress(update.bytes(), update.totalBytes()) : null;
  }

  /** The build's step while {@code view} is BUILDING, or its datasets' bytes while PREPARING, as last heard; else null. */
  Progress of(EnvironmentView view) {
    Progress heard = building.get(view.id());
    if (heard == null) {
      return null;
    }
    boolean fits = view.status() == EnvironmentStatus.BUILDING ? heard.step() != null
        : view.status() == EnvironmentStatus.PREPARING && heard.bytes() != null;
    return fits ? heard : null;
  }
}
