package io.dcloud.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's environment volumes as gauges, {@code dcloud_node_volumes{node,state}}: {@code mounted}
 * by a container (running or not), or {@code unmounted} — kept on delete or left behind by a move —
 * whose disk only an operator frees ({@code DELETE /nodes/{id}/volumes/{name}}), so a rising count
 * is what to alert on. Counted from the engine every {@code interval} on the
 * blocking pool (a list of labelled volumes), never on a scrape; a count the engine cannot give
 * leaves the last one.
 */
final class VolumeCounts {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeCounts.class);

  enum Tick implements NodeActor.Message, NoSerializationVerificationNeeded { INSTANCE }

  private final String nodeId;
  private final Supplier<NodeProtocol.VolumesReply> list;
  private final Executor blocking;
  private final Duration interval;
  private final AtomicLong mounted = new AtomicLong();
  private final AtomicLong unmounted = new AtomicLong();

  VolumeCounts(String nodeId, Supplier<NodeProtocol.VolumesReply> list, Executor blocking, Duration interval) {
    this.nodeId = nodeId;
    this.list = list;
    this.blocking = blocking;
    this.interval = interval;
    register("mounted", mounted);
    register("unmounted", unmounted);
  }

  private void register(String state, AtomicLong count) {
    Gauge.builder("dcloud.node.volumes", count, AtomicLong::get).tag("node", nodeId).tag("state", state)
        .description("Environment volumes on this node: mounted by a container, or not (kept on delete, left behind)")
        .register(Metrics.globalRegistry);
  }

  void begin(TimerScheduler<NodeActor.Message> timers) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
  }

  /** Counts again, off the actor's thread; the gauges change when the engine has answered. */
  void count() {
    CompletableFuture.supplyAsync(list, blocking).thenAccept(reply -> {
      if (reply instanceof NodeProtocol.Volumes volumes) {
        long inUse = volumes.volumes().stream().filter(NodeProtocol.Volume::inUse).count();
        mounted.set(inUse);
        unmounted.set(volumes.volumes().size() - inUse);
      } else {
        LOG.debug("Node {}: volumes not counted: {}", nodeId, reply);
      }
    });
  }
}
