package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes this node made for environments, as an operator lists and removes them: persistent
 * ones outlive their environment (kept on delete, left behind when it moved), and only an operator
 * knows when their data may go. Every method blocks on the runtime, so it runs on the node's
 * blocking dispatcher.
 */
final class NodeVolumes {
  private static final Logger LOG = LoggerFactory.getLogger(NodeVolumes.class);

  private final String nodeId;
  private final ContainerRuntime runtime;

  NodeVolumes(String nodeId, ContainerRuntime runtime) {
    this.nodeId = nodeId;
    this.runtime = runtime;
  }

  /** As an operator lists them: with what each one's files take on disk (the engine walks them for it). */
  NodeProtocol.VolumesReply list() {
    return listing(true);
  }

  /** As the gauges count them, often: without walking the volumes' files. */
  NodeProtocol.VolumesReply count() {
    return listing(false);
  }

  private NodeProtocol.VolumesReply listing(boolean withUsage) {
    try {
      List<ContainerRuntime.VolumeInfo> volumes = runtime.listManagedVolumes(nodeId);
      Map<String, Long> used = withUsage && !volumes.isEmpty() ? runtime.volumeUsage() : Map.of();
      return new NodeProtocol.Volumes(volumes.stream()
          .map(volume -> new NodeProtocol.Volume(volume.name(), volume.environmentId(), volume.target(),
              volume.createdAt(), volume.inUse(), used.get(volume.name())))
          .toList());
    } catch (RuntimeException e) {
      return new NodeProtocol.VolumesUnavailable(Failures.rootMessage(e));
    }
  }

  /**
   * Removes the volume unless a container mounts it or its environment is one this node holds
   * ({@code held}, as the actor knew them when asked: one between a deploy's steps has no container yet).
   */
  NodeProtocol.VolumesReply remove(String name, Set<String> held) {
    try {
      Optional<ContainerRuntime.VolumeInfo> volume =
          runtime.listManagedVolumes(nodeId).stream().filter(v -> v.name().equals(name)).findFirst();
      if (volume.isEmpty()) {
        return new NodeProtocol.VolumeRemoved(name, NodeProtocol.VolumeRemoval.NOT_FOUND);
      }
      if (held.contains(volume.get().environmentId())) {
        return new NodeProtocol.VolumeRemoved(name, NodeProtocol.VolumeRemoval.IN_USE);
      }
      NodeProtocol.VolumeRemoval outcome = switch (runtime.removeManagedVolume(nodeId, name)) {
        case REMOVED -> NodeProtocol.VolumeRemoval.REMOVED;
        case NOT_FOUND -> NodeProtocol.VolumeRemoval.NOT_FOUND;
        case IN_USE -> NodeProtocol.VolumeRemoval.IN_USE;
      };
      if (outcome == NodeProtocol.VolumeRemoval.REMOVED) {
        LOG.info("Node {} removed volume {} of environment {}", nodeId, name, volume.get().environmentId());
      }
      return new NodeProtocol.VolumeRemoved(name, outcome);
    } catch (RuntimeException e) {
      return new NodeProtocol.VolumesUnavailable(Failures.rootMessage(e));
    }
  }
}
