package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What users reach inside an environment's container through its node, beside its life cycle:
 * resource use, commands and logs. Every method blocks on the runtime, so it runs on the node's
 * blocking dispatcher; the limits on commands and log follows keep that pool from filling up.
 * Everything it touches is immutable or thread-safe.
 */
final class ContainerAccess {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerAccess.class);

  private final NodeSettings settings;
  private final String nodeId;
  private final ContainerRuntime runtime;
  /** Log follows open now: the pool threads that open them and the streams that end them both count. */
  private final AtomicInteger follows = new AtomicInteger();
  /** Users' commands running now (each on a blocking pool thread). */
  private final AtomicInteger execs = new AtomicInteger();

  ContainerAccess(NodeSettings settings, ContainerRuntime runtime) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.runtime = runtime;
  }

  NodeProtocol.StatsReply stats(String containerId) {
    try {
      var stats = runtime.stats(containerId);
      return new NodeProtocol.Stats(
          stats.cpuPercent(), stats.memoryUsedBytes(), stats.memoryLimitBytes(), stats.networkRxBytes(),
          stats.networkTxBytes(), stats.blockReadBytes(), stats.blockWriteBytes(), stats.pids());
    } catch (RuntimeException e) {
      return new NodeProtocol.StatsUnavailable(Failures.rootMessage(e));
    }
  }

  /** Runs a user's command in the container; at most {@code max-execs} at once, as each holds a blocking thread. */
  NodeProtocol.ExecReply exec(NodeProtocol.ExecIn request) {
    if (execs.incrementAndGet() > settings.maxExecs()) {
      execs.decrementAndGet();
      LOG.info("Node {} refused a command in environment {}: it already runs {} (dcloud.node.max-execs)",
          nodeId, request.environmentId(), settings.maxExecs());
      return new NodeProtocol.ExecUnavailable("node " + nodeId + " is busy running " + settings.maxExecs()
          + " commands, its limit: try again later");
    }
    try {
      var result = runtime.exec(request.containerId(), request.command(), request.stdin(),
          Duration.ofMillis(request.timeoutMillis()), request.maxOutputBytes());
      LOG.info("Environment {}: ran {} on node {}: {}", request.environmentId(), request.command().get(0), nodeId,
          result.timedOut() ? "timed out after " + request.timeoutMillis() + " ms" : "exit code " + result.exitCode());
      return new NodeProtocol.ExecResult(
          result.exitCode(), result.stdout(), result.stderr(), result.truncated(), result.timedOut());
    } catch (RuntimeException e) {
      return new NodeProtocol.ExecUnavailable(Failures.rootMessage(e));
    } finally {
      execs.decrementAndGet();
    }
  }

  /**
   * Bridges the engine's log callback into a stream the gateway (maybe on another node) pulls through
   * a SourceRef. Follows never end by themselves, so at most {@code max-log-follows} run at once.
   */
  NodeProtocol.LogsReply logs(NodeProtocol.StreamLogs request, ActorSystem<?> system) {
    boolean counted = request.follow();
    if (counted && follows.incrementAndGet() > settings.maxLogFollows()) {
      follows.decrementAndGet();
      LOG.info("Node {} refused to follow the log of environment {}: it already follows {} (dcloud.node.max-log-follows)",
          nodeId, request.environmentId(), settings.maxLogFollows());
      return new NodeProtocol.LogsRefused("node " + nodeId + " already follows " + settings.maxLogFollows()
          + " logs, its limit: try again later", settings.maxLogFollows());
    }
    var materialized = Source.<String>queue(settings.logBufferLines(), OverflowStrategy.dropHead()).preMaterialize(system);
    var queue = materialized.first();
    Closeable follow;
    try {
      follow = runtime.logs(request.containerId(), request.tail(), request.follow(), request.since(),
          request.timestamps(), queue::offer, queue::complete);
    } catch (RuntimeException e) {
      if (counted) {
        follows.decrementAndGet();
      }
      return new NodeProtocol.LogsUnavailable(Failures.rootMessage(e));
    }
    SourceRef<String> lines = materialized.second()
        .watchTermination((notUsed, done) -> done.whenComplete((ok, failure) -> {
          ContainerOperations.closeQuietly(follow);
          if (counted) {
            follows.decrementAndGet();
          }
        }))
        .runWith(StreamRefs.sourceRef(), system);
    return new NodeProtocol.Logs(lines);
  }
}
