package io.dcloud.node;

import com.typesafe.config.Config;
import io.dcloud.ask.Asks;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.spec.Durations;
import io.dcloud.spec.EnvironmentSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The longest an environment may run, as JupyterHub's culler's max-age or a Kubernetes Job's
 * activeDeadlineSeconds bound a server or a pod: one with a max-runtime (its config's or the
 * cluster's default, capped by {@code dcloud.environment.max-runtime.max}) that has run that long
 * since it last started on this node is asked to stop, however busy, as a normal stop (volumes
 * kept), with "stopped after running 8h (its max-runtime)" in its history. A service's replica never
 * is: its service decides when it goes.
 *
 * <p>The clock starts at the environment's first RUNNING report here; a container a restarted node
 * adopts counts from when its environment recorded it running (a node's restart does not lengthen
 * its run). Reports may come from the blocking pool, hence the concurrent maps.
 */
final class RuntimeLimits {

  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  enum Tick implements Step { INSTANCE }

  record StopAnswered(String environmentId, Boolean stopping, Throwable failure) implements Step {}

  /**
   * {@code dcloud.environment.max-runtime}'s {@code default} and {@code max} (null when off) and
   * {@code dcloud.node.max-runtime.check-interval}.
   */
  record Settings(Duration defaultLimit, Duration cap, Duration checkInterval) {
    static Settings fromConfig(Config root) {
      Config cluster = root.getConfig("dcloud.environment.max-runtime");
      return new Settings(IdleSettings.durationOrOff(cluster, "default"), IdleSettings.durationOrOff(cluster, "max"),
          root.getDuration("dcloud.node.max-runtime.check-interval"));
    }

    /** The max-runtime that applies to {@code spec}: its own or the default, at most the cap; null: none. */
    Duration limitOf(EnvironmentSpec spec) {
      if (spec.service() != null) {
        return null;
      }
      Duration limit = spec.maxRuntime() != null ? spec.maxRuntime() : defaultLimit;
      return limit != null && cap != null && limit.compareTo(cap) > 0 ? cap : limit;
    }
  }

  private final ActorContext<NodeActor.Message> context;
  private final String nodeId;
  private final Settings settings;
  private final NodePeers peers;
  /** The max-runtime of each environment deployed here that has one. */
  private final Map<String, Duration> limits = new ConcurrentHashMap<>();
  /** Environments RUNNING here, since when. */
  private final Map<String, Instant> runningSince = new ConcurrentHashMap<>();
  /** Containers adopted at the node's start, with when their environments recorded them running: until their report. */
  private final Map<String, Instant> adoptedRunningSince = new ConcurrentHashMap<>();
  /** Environments asked to stop and not answered yet: asked once. */
  private final Set<String> stopping = new HashSet<>();
  private final Counter stops;

  RuntimeLimits(ActorContext<NodeActor.Message> context, String nodeId, Settings settings, NodePeers peers) {
    this.context = context;
    this.nodeId = nodeId;
    this.settings = settings;
    this.peers = peers;
    this.stops = Counter.builder("dcloud.environment.runtime.stops").tag("node", nodeId)
        .description("Environments this node asked to stop because they had run for their max-runtime")
        .register(Metrics.globalRegistry);
  }

  void begin(TimerScheduler<NodeActor.Message> timers) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.checkInterval());
  }

  /** An environment is deployed (or adopted) here with {@code spec}: its limit, if any, applies. */
  void deployed(String environmentId, EnvironmentSpec spec) {
    Duration limit = settings.limitOf(spec);
    if (limit == null) {
      limits.remove(environmentId);
    } else {
      limits.put(environmentId, limit);
    }
  }

  /**
   * A container found at the node's start is its environment's again: its limit applies, counted
   * from {@code since} (when its environment recorded it running; null: from its report here).
   */
  void adopted(String environmentId, EnvironmentSpec spec, Instant since) {
    deployed(environmentId, spec);
    if (since != null) {
      adoptedRunningSince.put(environmentId, since);
    }
  }

  /** The node's peers, seen through this: a container's first RUNNING report starts its clock, any other phase ends it. */
  NodePeers watching(NodePeers reported) {
    return new WatchedPeers(reported) {
      @Override
      public void report(String environmentId, NodeProtocol.ContainerReport report) {
        Instant adoptedSince = adoptedRunningSince.remove(environmentId);
        if (report.phase() == ContainerPhase.RUNNING) {
          runningSince.putIfAbsent(environmentId, adoptedSince != null ? adoptedSince : Instant.now());
        } else {
          runningSince.remove(environmentId);
          if (report.phase() == ContainerPhase.REMOVED || report.phase() == ContainerPhase.MISSING) {
            limits.remove(environmentId);
          }
        }
        super.report(environmentId, report);
      }
    };
  }

  void on(Step step) {
    if (step == Tick.INSTANCE) {
      stopThoseOverTheirLimit();
    } else if (step instanceof StopAnswered answered
        && (answered.failure() != null || !Boolean.TRUE.equals(answered.stopping()))) {
      // Not stopping after all (restarted meanwhile, or the entity did not answer): the next check decides again.
      stopping.remove(answered.environmentId());
    }
  }

  private void stopThoseOverTheirLimit() {
    Instant now = Instant.now();
    stopping.retainAll(runningSince.keySet());
    for (Map.Entry<String, Instant> running : runningSince.entrySet()) {
      String environmentId = running.getKey();
      Duration limit = limits.get(environmentId);
      Duration ran = Duration.between(running.getValue(), now);
      if (limit == null || ran.compareTo(limit) < 0 || !stopping.add(environmentId)) {
        continue;
      }
      stops.increment();
      context.getLog().info("Environment {} on node {} has run {}, its max-runtime {}: asking it to stop", environmentId,
          nodeId, Durations.format(ran), Durations.format(limit));
      Asks.pipeToSelf(context, peers.stop(environmentId, "stopped after running " + Durations.format(limit) + " (its max-runtime)"),
          (answer, failure) -> new StopAnswered(environmentId, answer, failure));
    }
  }
}
