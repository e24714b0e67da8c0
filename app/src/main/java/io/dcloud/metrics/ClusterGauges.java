package io.dcloud.metrics;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Gauges of the whole cluster as this node sees it, asked for every refresh interval: environments
 * by status (the local environment directory's counts, on nodes that have one) and nodes by
 * availability with their capacity and reservations (from the scheduler). Every node that has a
 * directory reports the same environment counts: aggregate them with max, not sum. An answer that
 * does not come leaves the last values; the next tick asks again. A node's gauges are registered
 * when it is first seen and updated in place after: re-registering a thousand nodes' eight gauges
 * at every refresh cost the registry's naming and bookkeeping about half a second of CPU each time.
 */
public final class ClusterGauges {
  private ClusterGauges() {}

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  private enum Refresh implements Command { INSTANCE }

  private record Counted(EnvironmentDirectory.StatusCounts counts) implements Command {}

  private record NodesListed(Scheduler.Nodes nodes) implements Command {}

  /** One resource of a node as a gauge: CPUs in cores, memory and storage in bytes, GPUs counted. */
  private record Measure(String resource, ToDoubleFunction<Resources> amount) {}

  private static final List<Measure> MEASURES = List.of(
      new Measure("cpu", resources -> resources.milliCpus() / 1000.0),
      new Measure("memory_bytes", Resources::memoryBytes),
      new Measure("gpu", Resources::gpus),
      new Measure("storage_bytes", Resources::storageBytes));

  /** {@code directory} null: this node has no read side, only the node gauges are kept. */
  public static Behavior<Command> create(MeterRegistry registry, Duration interval,
      ActorRef<Scheduler.Command> scheduler, ActorRef<EnvironmentDirectory.Command> directory) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Map<EnvironmentStatus, AtomicLong> byStatus = new EnumMap<>(EnvironmentStatus.class);
      if (directory != null) {
        for (EnvironmentStatus status : EnvironmentStatus.values()) {
          AtomicLong count = new AtomicLong();
          byStatus.put(status, count);
          Gauge.builder("dcloud.environments", count, AtomicLong::get).description("Environments by status")
              .tag("status", status.name()).register(registry);
        }
      }
      Map<NodeAvailability, AtomicLong> byAvailability = new EnumMap<>(NodeAvailability.class);
      for (NodeAvailability availability : NodeAvailability.values()) {
        AtomicLong count = new AtomicLong();
        byAvailability.put(availability, count);
        Gauge.builder("dcloud.nodes", count, AtomicLong::get).description("Nodes by availability")
            .tag("state", availability.name()).register(registry);
      }
      Map<String, NodeGauges> nodeGauges = new HashMap<>();
      ActorRef<EnvironmentDirectory.StatusCounts> counts =
          context.messageAdapter(EnvironmentDirectory.StatusCounts.class, Counted::new);
      ActorRef<Scheduler.Nodes> nodes = context.messageAdapter(Scheduler.Nodes.class, NodesListed::new);
      timers.startTimerWithFixedDelay(Refresh.INSTANCE, Duration.ZERO, interval);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Refresh.INSTANCE, () -> {
            if (directory != null) {
              directory.tell(new EnvironmentDirectory.CountByStatus(counts));
            }
            scheduler.tell(new Scheduler.GetNodes(nodes));
            return Behaviors.same();
          })
          .onMessage(Counted.class, counted -> {
            byStatus.forEach((status, count) -> count.set(counted.counts().counts().getOrDefault(status, 0L)));
            return Behaviors.same();
          })
          .onMessage(NodesListed.class, listed -> {
            Map<NodeAvailability, Long> byState = new EnumMap<>(NodeAvailability.class);
            Set<String> seen = new HashSet<>();
            for (NodeView node : listed.nodes().nodes()) {
              byState.merge(node.state(), 1L, Long::sum);
              String nodeId = node.status().nodeId();
              seen.add(nodeId);
              nodeGauges.computeIfAbsent(nodeId, id -> new NodeGauges(registry, id)).set(node);
            }
            byAvailability.forEach((state, count) -> count.set(byState.getOrDefault(state, 0L)));
            // A node that left the cluster leaves the gauges too.
            nodeGauges.entrySet().removeIf(entry -> {
              boolean gone = !seen.contains(entry.getKey());
              if (gone) {
                entry.getValue().remove(registry);
              }
              return gone;
            });
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** One node's capacity and reservation gauges, one per resource each, reading the values last set. */
  private static final class NodeGauges {
    /** The capacities, then the reservations, in {@link #MEASURES}' order, as double bits (scrapes read them on their own thread). */
    private final AtomicLongArray values = new AtomicLongArray(2 * MEASURES.size());
    private final List<Meter> meters = new ArrayList<>();

    NodeGauges(MeterRegistry registry, String nodeId) {
      for (int i = 0; i < values.length(); i++) {
        int index = i;
        boolean capacity = i < MEASURES.size();
        meters.add(Gauge.builder(capacity ? "dcloud.node.capacity" : "dcloud.node.reserved", values,
                all -> Double.longBitsToDouble(all.get(index)))
            .description(capacity ? "What each node offers, by resource" : "What the scheduler reserved on each node, by resource")
            .tags("node", nodeId, "resource", MEASURES.get(i % MEASURES.size()).resource())
            .strongReference(true)
            .register(registry));
      }
    }

    void set(NodeView node) {
      for (int i = 0; i < MEASURES.size(); i++) {
        ToDoubleFunction<Resources> amount = MEASURES.get(i).amount();
        values.set(i, Double.doubleToLongBits(amount.applyAsDouble(node.status().capacity())));
        values.set(MEASURES.size() + i, Double.doubleToLongBits(amount.applyAsDouble(node.reserved())));
      }
    }

    void remove(MeterRegistry registry) {
      meters.forEach(registry::remove);
    }
  }
}
