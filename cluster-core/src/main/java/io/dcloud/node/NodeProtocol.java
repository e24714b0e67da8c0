package io.dcloud.node;

import io.dcloud.catalog.ImageRecipe;
import io.dcloud.environment.EnvironmentSpec;
import io.dcloud.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.stream.SourceRef;

/**
 * What the rest of the cluster may ask of a worker's NodeActor. It lives here, not beside the
 * NodeActor in {@code node-actor}, because environment entities (in this module) send it and
 * {@code cluster-core} must not depend on the module that drives Docker.
 *
 * <p>Every command is idempotent: entities re-send them until the node reports the state they
 * wait for, so a lost message or a restarted node only delays convergence.
 */
public final class NodeProtocol {
  private NodeProtocol() {}

  /** Each NodeActor registers under the key of its own node id. */
  public static ServiceKey<Command> serviceKey(String nodeId) {
    return ServiceKey.create(Command.class, "dcloud-node-" + nodeId);
  }

  public sealed interface Command extends CborSerializable {}

  /** Build the image if needed, create and start the environment's container (once). */
  public record Deploy(String environmentId, EnvironmentSpec spec, ImageRecipe recipe, List<String> gpuUuids)
      implements Command {}

  public record StartContainer(String environmentId, String containerId) implements Command {}

  public record StopContainer(String environmentId, String containerId) implements Command {}

  /** Remove the container and the listed (temporary) volumes; persistent ones are not listed. */
  public record RemoveContainer(String environmentId, String containerId, List<String> volumes)
      implements Command {}

  public record GetStats(String environmentId, String containerId, ActorRef<StatsReply> replyTo)
      implements Command {}

  public record StreamLogs(
      String environmentId, String containerId, int tail, boolean follow, ActorRef<LogsReply> replyTo)
      implements Command {}

  public sealed interface StatsReply extends CborSerializable {}

  public record Stats(
      double cpuPercent,
      long memoryUsedBytes,
      long memoryLimitBytes,
      long networkRxBytes,
      long networkTxBytes,
      long blockReadBytes,
      long blockWriteBytes,
      long pids)
      implements StatsReply {}

  public record StatsUnavailable(String reason) implements StatsReply {}

  public sealed interface LogsReply extends CborSerializable {}

  public record Logs(SourceRef<String> lines) implements LogsReply {}

  public record LogsUnavailable(String reason) implements LogsReply {}
}
