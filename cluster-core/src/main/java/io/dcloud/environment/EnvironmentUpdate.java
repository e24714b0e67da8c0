package io.dcloud.environment;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One line of an environment's live feed (the SSE stream): a status change persisted by its
 * entity, or an image-build progress line from the node building it. Published on one cluster-wide
 * topic; subscribers filter by {@code environmentId}.
 */
public record EnvironmentUpdate(String environmentId, Kind kind, String status, String message, Instant at)
    implements CborSerializable {

  public static final String TOPIC_NAME = "dcloud-environment-updates";

  public enum Kind {
    STATUS,
    PROGRESS
  }

  public static Topic.Command<EnvironmentUpdate> publish(EnvironmentUpdate update) {
    return Topic.publish(update);
  }
}
