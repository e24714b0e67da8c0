package io.dcloud.node;

import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import io.dcloud.deploy.HollowRuntime;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Many simulated workers in one process ({@code dcloud.node.hollow}): real NodeActors that gossip,
 * take deploys and report like any other, over a {@link HollowRuntime} each, so the scheduler and
 * the entities can be measured against a thousand machines on one. For benchmarks only.
 */
public final class HollowNodes {
  private static final long MILLI_CPUS_PER_CPU = 1000;

  /** The {@code dcloud.node.hollow} section. */
  public record Settings(
      int nodes, String idPrefix, Resources capacity, int gpus, String gpuModel, long gpuMemoryMiB, Duration operationDelay) {

    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("dcloud.node.hollow");
      long milliCpus = Quantities.milliCpus("dcloud.node.hollow.cpu", TextNode.valueOf(c.getString("cpu")));
      long memory = Quantities.bytes("dcloud.node.hollow.memory", TextNode.valueOf(c.getString("memory")));
      long disk = Quantities.bytes("dcloud.node.hollow.disk", TextNode.valueOf(c.getString("disk")));
      int gpus = c.getInt("gpus");
      return new Settings(
          c.getInt("nodes"), c.getString("id-prefix"),
          new Resources(milliCpus, memory, gpus, disk, null),
          gpus, c.getString("gpu-model"), c.getLong("gpu-memory-mib"), c.getDuration("operation-delay"));
    }

    public boolean enabled() {
      return nodes > 0;
    }

    /** Zero-padded so ids sort in node order. */
    public String nodeId(int number) {
      return String.format("%s-%04d", idPrefix, number);
    }
  }

  private HollowNodes() {}

  /** Spawns {@code hollow.nodes()} NodeActors as children of {@code context}; returns their ids. */
  public static List<String> spawn(
      ActorContext<?> context,
      Settings hollow,
      NodeSettings base,
      NodePeers peers) {
    List<String> ids = new ArrayList<>();
    for (int number = 1; number <= hollow.nodes(); number++) {
      String nodeId = hollow.nodeId(number);
      HollowRuntime runtime = new HollowRuntime(
          hollow.operationDelay(), (int) (hollow.capacity().milliCpus() / MILLI_CPUS_PER_CPU), hollow.capacity().memoryBytes());
      MachineProfile machine = MachineProfile.simulated(nodeId, hollow.capacity(), gpus(hollow, nodeId));
      context.spawn(NodeActor.create(base.withNodeId(nodeId), runtime, machine, peers), "node-" + nodeId);
      ids.add(nodeId);
    }
    context.getLog().warn("Running {} HOLLOW nodes ({}-0001 ..): their containers only pretend to run", ids.size(), hollow.idPrefix());
    return ids;
  }

  private static List<GpuDevice> gpus(Settings hollow, String nodeId) {
    List<GpuDevice> gpus = new ArrayList<>();
    for (int index = 0; index < hollow.gpus(); index++) {
      gpus.add(new GpuDevice(index, "GPU-" + nodeId + "-" + index, hollow.gpuModel(), hollow.gpuMemoryMiB()));
    }
    return gpus;
  }
}
