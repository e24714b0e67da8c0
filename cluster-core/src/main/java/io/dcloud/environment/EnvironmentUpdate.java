package io.dcloud.environment;

import io.dcloud.node.DatasetFetchLine;
import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One line of an environment's live feed (the SSE stream): a status change persisted by its
 * entity, or an image-build progress line from the node building it. Published on one cluster-wide
 * topic; subscribers filter by {@code environmentId}. {@code step} and {@code steps}: where a build
 * is ("step 3/9"), on the progress lines that say so; null on all others (and in updates from
 * nodes that predate them). {@code bytes} and {@code totalBytes}: how far a node's fetch of the
 * datasets is during PREPARING, on the lines that say so ({@link DatasetFetchLine}); null on others.
 */
public record EnvironmentUpdate(
    String environmentId, Kind kind, String status, String message, Instant at, Integer step, Integer steps,
    Long bytes, Long totalBytes)
    implements CborSerializable {

  public static final String TOPIC_NAME = "dcloud-environment-updates";

  /** The image builder's line for each Dockerfile instruction: "Step 3/9 : RUN ...". */
  private static final Pattern BUILD_STEP = Pattern.compile("^Step (\\d{1,6})/(\\d{1,6})\\b");

  public enum Kind {
    STATUS,
    PROGRESS
  }

  public EnvironmentUpdate(String environmentId, Kind kind, String status, String message, Instant at) {
    this(environmentId, kind, status, message, at, null, null, null, null);
  }

  /** A progress line, with the build step it starts or the dataset bytes it counts when it says so. */
  public static EnvironmentUpdate progress(String environmentId, String line, Instant at) {
    Matcher step = BUILD_STEP.matcher(line);
    if (step.find()) {
      return new EnvironmentUpdate(environmentId, Kind.PROGRESS, null, line, at, Integer.valueOf(step.group(1)),
          Integer.valueOf(step.group(2)), null, null);
    }
    return DatasetFetchLine.read(line)
        .map(fetched -> new EnvironmentUpdate(environmentId, Kind.PROGRESS, null, line, at, null, null,
            fetched.bytes(), fetched.totalBytes()))
        .orElseGet(() -> new EnvironmentUpdate(environmentId, Kind.PROGRESS, null, line, at));
  }

  public static Topic.Command<EnvironmentUpdate> publish(EnvironmentUpdate update) {
    return Topic.publish(update);
  }
}
