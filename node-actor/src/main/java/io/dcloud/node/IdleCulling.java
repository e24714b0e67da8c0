package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.spec.Durations;
import io.dcloud.spec.EnvironmentSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Idle culling, JupyterHub's most used feature: an environment with an idle-timeout (its config's
 * or the cluster's default, capped by {@code dcloud.environment.idle.max-timeout}) that has had no
 * exec, file or proxy traffic ({@link ContainerActivity}) and no CPU sample at or above the
 * threshold for that long since it began RUNNING is asked to stop, as a normal stop (volumes kept),
 * with "stopped after 30m idle" in its history.
 *
 * <p>It learns the timeouts from the deploys it sees (and, for the containers a node finds as it
 * starts, from their environments' claims: their clocks start at the adoption) and the clock's start
 * from the reports the node sends ({@link #watching}); reports may come from the blocking pool,
 * hence the concurrent maps.
 */
final class IdleCulling {

  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  enum Tick implements Step { INSTANCE }

  /** {@code cpuPercent} null: the engine gave no stats (no decision this time). */
  record Sampled(String environmentId, Double cpuPercent) implements Step {}

  record StopAnswered(String environmentId, Boolean stopping, Throwable failure) implements Step {}

  private final ActorContext<NodeActor.Message> context;
  private final String nodeId;
  private final IdleSettings settings;
  private final ContainerActivity activity;
  private final NodePeers peers;
  private final Executor blocking;
  private final Function<String, NodeProtocol.StatsReply> stats;
  /** The idle-timeout of each environment deployed here that has one. */
  private final Map<String, Duration> timeouts = new ConcurrentHashMap<>();
  /** Environments RUNNING here, since when (or since their CPU was last busy). */
  private final Map<String, Instant> busySince = new ConcurrentHashMap<>();
  /** Environments asked to stop and not answered yet: asked once. */
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  private final Counter idleStops;

  IdleCulling(
      ActorContext<NodeActor.Message> context, String nodeId, IdleSettings settings, ContainerActivity activity,
      NodePeers peers, Executor blocking, Function<String, NodeProtocol.StatsReply> stats) {
    this.context = context;
    this.nodeId = nodeId;
    this.settings = settings;
    this.activity = activity;
    this.peers = peers;
    this.blocking = blocking;
    this.stats = stats;
    this.idleStops = Counter.builder("dcloud.environment.idle.stops").tag("node", nodeId)
        .description("Environments this node asked to stop because they were idle for their idle-timeout")
        .register(Metrics.globalRegistry);
  }

  void begin(TimerScheduler<NodeActor.Message> timers) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.checkInterval());
  }

  /** An environment is deployed (or adopted) here with {@code spec}: its timeout, if any, applies from now. */
  void deployed(String environmentId, EnvironmentSpec spec) {
    Duration timeout = settings.timeoutOf(spec);
    if (timeout == null) {
      timeouts.remove(environmentId);
    } else {
      timeouts.put(environmentId, timeout);
    }
  }

  /** The node's peers, seen through this: every report of a container starts or stops its idle clock. */
  NodePeers watching(NodePeers reported) {
    return new WatchedPeers(reported) {
      @Override
      public void report(String environmentId, NodeProtocol.ContainerReport report) {
        phase(environmentId, report.phase());
        super.report(environmentId, report);
      }
    };
  }

  private void phase(String environmentId, ContainerPhase phase) {
    if (phase == ContainerPhase.RUNNING) {
      // The first RUNNING starts the clock; a repeated report (a retried start) does not restart it.
      busySince.putIfAbsent(environmentId, Instant.now());
      return;
    }
    busySince.remove(environmentId);
    stopping.remove(environmentId);
    if (phase == ContainerPhase.REMOVED || phase == ContainerPhase.MISSING) {
      timeouts.remove(environmentId);
    }
  }

  /** {@code containers}: the node's containers by environment id. */
  void on(Step step, Map<String, String> containers) {
    if (step == Tick.INSTANCE) {
      sampleRunning(containers);
    } else if (step instanceof Sampled sampled) {
      onSampled(sampled);
    } else if (step instanceof StopAnswered answered) {
      onStopAnswered(answered);
    }
  }

  /** One stats call per running environment with a timeout, on the blocking pool (the engine may be slow). */
  private void sampleRunning(Map<String, String> containers) {
    for (String environmentId : busySince.keySet()) {
      String containerId = containers.get(environmentId);
      if (containerId == null || !timeouts.containsKey(environmentId) || stopping.contains(environmentId)) {
        continue;
      }
      context.pipeToSelf(
          CompletableFuture.supplyAsync(() -> stats.apply(containerId), blocking),
          (reply, failure) -> new Sampled(environmentId,
              reply instanceof NodeProtocol.Stats sample ? Double.valueOf(sample.cpuPercent()) : null));
    }
  }

  private void onSampled(Sampled sampled) {
    String environmentId = sampled.environmentId();
    Duration timeout = timeouts.get(environmentId);
    Instant since = busySince.get(environmentId);
    if (sampled.cpuPercent() == null || timeout == null || since == null) {
      return;
    }
    Instant now = Instant.now();
    if (sampled.cpuPercent() >= settings.cpuThresholdPercent()) {
      busySince.put(environmentId, now);
      return;
    }
    Instant idleFrom = activity.lastActivity(environmentId).filter(lastUse -> lastUse.isAfter(since)).orElse(since);
    Duration idle = Duration.between(idleFrom, now);
    if (idle.compareTo(timeout) < 0 || !stopping.add(environmentId)) {
      return;
    }
    String reason = "stopped after " + Durations.format(timeout) + " idle";
    idleStops.increment();
    context.getLog().info("Environment {} on node {} had no traffic and CPU under {}% for {}: asking it to stop", environmentId,
        nodeId, settings.cpuThresholdPercent(), Durations.format(idle));
    Asks.pipeToSelf(context, peers.stop(environmentId, reason),
        (answer, failure) -> new StopAnswered(environmentId, answer, failure));
  }

  private void onStopAnswered(StopAnswered answered) {
    if (answered.failure() != null || !Boolean.TRUE.equals(answered.stopping())) {
      // Not stopping after all (restarted meanwhile, or the entity did not answer): the next check decides again.
      stopping.remove(answered.environmentId());
      context.getLog().debug("Environment {}: the idle stop was not taken: {}", answered.environmentId(),
          answered.failure() == null ? "it is not RUNNING" : answered.failure().toString());
    }
  }
}
