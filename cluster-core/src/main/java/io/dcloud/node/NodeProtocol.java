package io.dcloud.node;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.stream.SourceRef;

/**
 * What the rest of the cluster may ask of a worker's NodeActor, and what the node reports back to
 * environments. It lives here, not beside the NodeActor in {@code node-actor}, because environment
 * entities (in this module) send it and {@code cluster-core} must not depend on the module that
 * drives Docker.
 *
 * <p>Every command is idempotent: entities re-send them until the node reports the state they
 * wait for, so a lost message or a restarted node only delays convergence.
 */
public final class NodeProtocol {
  private NodeProtocol() {}

  /** Each NodeActor registers under the key of its own node id. */
  public static ServiceKey<Command> serviceKey(String nodeId) {
    return ServiceKey.create(Command.class, SERVICE_KEY_PREFIX + nodeId);
  }

  private static final String SERVICE_KEY_PREFIX = "dcloud-node-";

  /** The node id a key of {@link #serviceKey} names. */
  public static String nodeIdOf(ServiceKey<?> key) {
    return key.id().substring(SERVICE_KEY_PREFIX.length());
  }

  public sealed interface Command extends CborSerializable {}

  /**
   * Build the image if needed, create and start the environment's container (once). {@code owner}
   * is the user the environment belongs to: the node puts each owner's containers on a network of
   * their own. Null (commands sent before owners existed) puts it on the shared, isolated network.
   */
  public record Deploy(String environmentId, EnvironmentSpec spec, ImageRecipe recipe, List<String> gpuUuids, String owner)
      implements Command {}

  public record StartContainer(String environmentId, String containerId) implements Command {}

  public record StopContainer(String environmentId, String containerId) implements Command {}

  /**
   * Change the running container's CPU and RAM limits to {@code resources}, as {@code docker update}
   * does, without stopping it; answered with a {@link ContainerPhase#RESIZED} or {@link
   * ContainerPhase#NOT_RESIZED} report naming them.
   */
  public record UpdateLimits(String environmentId, String containerId, Resources resources) implements Command {}

  /** Remove the container and the listed (temporary) volumes; persistent ones are not listed. */
  public record RemoveContainer(String environmentId, String containerId, List<String> volumes)
      implements Command {}

  public record GetStats(String environmentId, String containerId, ActorRef<StatsReply> replyTo)
      implements Command {}

  /**
   * {@code since}: only lines written at or after it (null: the last {@code tail}); {@code timestamps}:
   * each line begins with when it was written. Both absent (null, false) from senders older than them.
   */
  public record StreamLogs(
      String environmentId, String containerId, int tail, boolean follow, ActorRef<LogsReply> replyTo, Instant since,
      boolean timestamps)
      implements Command {
    public StreamLogs(String environmentId, String containerId, int tail, boolean follow, ActorRef<LogsReply> replyTo) {
      this(environmentId, containerId, tail, follow, replyTo, null, false);
    }
  }

  /**
   * Run {@code command} in the container as its default user, with {@code stdin} (null: none), for
   * at most {@code timeoutMillis}, keeping at most {@code maxOutputBytes} of stdout and of stderr.
   * Not idempotent, so never re-sent: a lost one is the caller's timeout.
   */
  public record ExecIn(
      String environmentId,
      String containerId,
      List<String> command,
      String stdin,
      long timeoutMillis,
      long maxOutputBytes,
      ActorRef<ExecReply> replyTo)
      implements Command {}

  /**
   * Start {@code command} in the container as its default user (with a terminal when {@code tty}),
   * fed from {@code input}; the node answers {@link ShellProtocol.Opened} with the output stream. Not
   * idempotent, so never re-sent.
   */
  public record ShellIn(
      String environmentId,
      String containerId,
      List<String> command,
      boolean tty,
      SourceRef<ShellProtocol.Input> input,
      ActorRef<ShellProtocol.Reply> replyTo)
      implements Command {}

  /**
   * Write {@code content} into the container as its user: with {@code archive} a tar extracted into
   * directory {@code path} (created if missing), else one file at {@code path}, {@code length} bytes
   * long when known (null: the node counts them first). Never re-sent.
   */
  public record PutFilesIn(
      String environmentId,
      String containerId,
      String path,
      boolean archive,
      Long length,
      SourceRef<byte[]> content,
      ActorRef<FilesProtocol.Reply> replyTo)
      implements Command {}

  /** Read {@code path} out of the container: a file's bytes, or a tar of a directory. */
  public record GetFilesIn(String environmentId, String containerId, String path, ActorRef<FilesProtocol.Reply> replyTo)
      implements Command {}

  /**
   * Forward one request or WebSocket ({@code call}) to the container's {@code port} (as the engine
   * published it on this node); the node answers {@code replyTo} directly. Not idempotent, never re-sent.
   */
  public record ProxyTo(
      String environmentId,
      String containerId,
      PublishedPort port,
      // Typed by an interface: the wire form must say which call it holds.
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@call") ProxyWire.Call call,
      ActorRef<ProxyWire.Reply> replyTo)
      implements Command {}

  /**
   * What became of an environment's container on node {@code nodeId}, sent to that environment
   * (see {@link NodePeers#report}); {@code exitCode} and {@code oomKilled} describe an exit.
   * {@code datasets}: on a STARTING report, the datasets the container mounts with the version
   * each resolved to ("latest" then); null on other reports (and from nodes that predate it).
   * {@code ready}: on a RUNNING report of a service's replica, whether its readiness path answered
   * 2xx (see ReadinessProbes); null otherwise.
   */
  public record ContainerReport(
      String nodeId,
      ContainerPhase phase,
      String containerId,
      List<PublishedPort> ports,
      Integer exitCode,
      boolean oomKilled,
      String message,
      List<EnvironmentSpec.DatasetRef> datasets,
      Boolean ready,
      Resources limits)
      implements CborSerializable {

    /** A report that names no limits (all but {@link ContainerPhase#RESIZED} and {@link ContainerPhase#NOT_RESIZED}). */
    public ContainerReport(
        String nodeId, ContainerPhase phase, String containerId, List<PublishedPort> ports, Integer exitCode,
        boolean oomKilled, String message, List<EnvironmentSpec.DatasetRef> datasets, Boolean ready) {
      this(nodeId, phase, containerId, ports, exitCode, oomKilled, message, datasets, ready, null);
    }

    /** A report that says nothing of readiness. */
    public ContainerReport(
        String nodeId, ContainerPhase phase, String containerId, List<PublishedPort> ports, Integer exitCode,
        boolean oomKilled, String message, List<EnvironmentSpec.DatasetRef> datasets) {
      this(nodeId, phase, containerId, ports, exitCode, oomKilled, message, datasets, null);
    }

    /** A report that names no datasets (all but the STARTING of a container that mounts some). */
    public ContainerReport(
        String nodeId, ContainerPhase phase, String containerId, List<PublishedPort> ports, Integer exitCode,
        boolean oomKilled, String message) {
      this(nodeId, phase, containerId, ports, exitCode, oomKilled, message, null, null);
    }
  }

  /** Where a container is in its life, as the node that runs it sees it. */
  public enum ContainerPhase {
    /** Fetching the environment's datasets into the node's cache (before the image build). */
    PREPARING,
    BUILDING,
    STARTING,
    RUNNING,
    EXITED,
    REMOVED,
    FAILED,
    /** The node has no container for an environment it should run (found when it reconciles). */
    MISSING,
    /** Its running container's CPU and RAM limits are now the report's {@code limits} ({@link UpdateLimits}). */
    RESIZED,
    /** Its running container's limits could not change to the report's {@code limits}: the message says why. */
    NOT_RESIZED
  }

  /** The volumes this node made for environments, for an operator (configurers and admins). */
  public record ListVolumes(ActorRef<VolumesReply> replyTo) implements Command {}

  /** Remove one of this node's volumes: refused while a container mounts it, and for any the node did not make. */
  public record RemoveVolume(String name, ActorRef<VolumesReply> replyTo) implements Command {}

  /**
   * Promise a kept volume of this node's to the environment being created to mount it again, so that
   * of two creates naming it at once (through any gateways) one is refused before it is accepted. A
   * promise lasts {@code dcloud.node.kept-volume-claim-ttl}, long enough for the environment's own
   * record to show it; the same environment's claim (a create sent again) is granted again.
   */
  public record ClaimVolume(String name, String environmentId, ActorRef<VolumeClaimed> replyTo) implements Command {}

  /** {@code claimant}: the environment the volume is promised to now, the asker's when granted. */
  public record VolumeClaimed(String name, String claimant) implements CborSerializable {
    public boolean grantedTo(String environmentId) {
      return claimant.equals(environmentId);
    }
  }

  /** The create that claimed the volume failed: another may claim it at once. Unanswered. */
  public record ReleaseVolumeClaim(String name, String environmentId) implements Command {}

  public sealed interface VolumesReply extends CborSerializable {}

  /**
   * {@code target}: where it was mounted (null for one made before volumes said); {@code createdAt} null
   * when unknown; {@code usedBytes} what its files take on disk, null when the engine did not say (and
   * from nodes older than it).
   */
  public record Volume(String name, String environmentId, String target, Instant createdAt, boolean inUse, Long usedBytes)
      implements CborSerializable {}

  public record Volumes(List<Volume> volumes) implements VolumesReply {}

  public enum VolumeRemoval { REMOVED, NOT_FOUND, IN_USE }

  public record VolumeRemoved(String name, VolumeRemoval outcome) implements VolumesReply {}

  /** The node could not ask its container engine (the reason says). */
  public record VolumesUnavailable(String reason) implements VolumesReply {}

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

  public sealed interface ExecReply extends CborSerializable {}

  /** {@code exitCode} is null when the command ran past its timeout ({@code timedOut}) and was abandoned. */
  public record ExecResult(Integer exitCode, String stdout, String stderr, boolean truncated, boolean timedOut)
      implements ExecReply {}

  /** The command did not run: the environment is not running, or the node could not run it (the reason says). */
  public record ExecUnavailable(String reason) implements ExecReply {}

  public sealed interface LogsReply extends CborSerializable {}

  public record Logs(SourceRef<String> lines) implements LogsReply {}

  public record LogsUnavailable(String reason) implements LogsReply {}

  /**
   * The node already follows {@code limit} logs (dcloud.node.max-log-follows) and refuses another
   * until one ends: the caller should answer "try again later" (HTTP 429), not "not found".
   */
  public record LogsRefused(String reason, int limit) implements LogsReply {}
}
