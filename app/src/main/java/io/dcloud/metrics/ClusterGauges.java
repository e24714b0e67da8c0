package io.dcloud.metrics;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Gauges of the whole cluster as this node sees it, asked for every refresh interval: environments
 * by status (from the local environment directory, on nodes that have one) and nodes by
 * availability with their capacity and reservations (from the scheduler). Every node that has a
 * directory reports the same environment counts: aggregate them with max, not sum. An answer that
 * does not come leaves the last values; the next tick asks again.
 */
public final class ClusterGauges {
  private ClusterGauges() {}

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  private enum Refresh implements Command { INSTANCE }

  private record Listed(EnvironmentDirectory.Listing listing) implements Command {}

  private record NodesListed(Scheduler.Nodes nodes) implements Command {}

  /** A node's resources as gauges: CPUs in cores, memory and storage in bytes, GPUs counted. */
  private static final Map<String, ToDoubleFunction<Resources>> RESOURCES = Map.of(
      "cpu", resources -> resources.milliCpus() / 1000.0,
      "memory_bytes", Resources::memoryBytes,
      "gpu", Resources::gpus,
      "storage_bytes", Resources::storageBytes);

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
      MultiGauge capacity = MultiGauge.builder("dcloud.node.capacity")
          .description("What each node offers, by resource").register(registry);
      MultiGauge reserved = MultiGauge.builder("dcloud.node.reserved")
          .description("What the scheduler reserved on each node, by resource").register(registry);
      ActorRef<EnvironmentDirectory.Listing> listings = context.messageAdapter(EnvironmentDirectory.Listing.class, Listed::new);
      ActorRef<Scheduler.Nodes> nodes = context.messageAdapter(Scheduler.Nodes.class, NodesListed::new);
      timers.startTimerWithFixedDelay(Refresh.INSTANCE, Duration.ZERO, interval);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Refresh.INSTANCE, () -> {
            if (directory != null) {
              directory.tell(new EnvironmentDirectory.ListEnvironments(null, null, listings));
            }
            scheduler.tell(new Scheduler.GetNodes(nodes));
            return Behaviors.same();
          })
          .onMessage(Listed.class, listed -> {
            Map<EnvironmentStatus, Long> counts = new EnumMap<>(EnvironmentStatus.class);
            for (EnvironmentView view : listed.listing().environments()) {
              counts.merge(view.status(), 1L, Long::sum);
            }
            byStatus.forEach((status, count) -> count.set(counts.getOrDefault(status, 0L)));
            return Behaviors.same();
          })
          .onMessage(NodesListed.class, listed -> {
            Map<NodeAvailability, Long> counts = new EnumMap<>(NodeAvailability.class);
            List<MultiGauge.Row<?>> capacities = new ArrayList<>();
            List<MultiGauge.Row<?>> reservations = new ArrayList<>();
            for (NodeView node : listed.nodes().nodes()) {
              counts.merge(node.state(), 1L, Long::sum);
              RESOURCES.forEach((resource, amount) -> {
                Tags tags = Tags.of("node", node.status().nodeId(), "resource", resource);
                capacities.add(MultiGauge.Row.of(tags, amount.applyAsDouble(node.status().capacity())));
                reservations.add(MultiGauge.Row.of(tags, amount.applyAsDouble(node.reserved())));
              });
            }
            byAvailability.forEach((state, count) -> count.set(counts.getOrDefault(state, 0L)));
            // Overwritten: a node that left the cluster leaves the gauges too.
            capacity.register(capacities, true);
            reserved.register(reservations, true);
            return Behaviors.same();
          })
          .build();
    }));
  }
}
