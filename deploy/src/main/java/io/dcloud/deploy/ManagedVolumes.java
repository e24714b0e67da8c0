package io.dcloud.deploy;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.VolumeInfo;
import io.dcloud.deploy.ContainerRuntime.VolumeRemoval;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named volumes a node made for environments, found by the labels they were made with: what an
 * operator lists to find the persistent volumes that outlived their environment, and removes.
 * Volumes of other nodes or not DCloud's are neither listed nor removed.
 */
final class ManagedVolumes {
  private static final Logger log = LoggerFactory.getLogger(ManagedVolumes.class);

  private final DockerSettings settings;
  private final DaemonCalls calls;
  private final EngineConnection engine;

  ManagedVolumes(DockerSettings settings, DaemonCalls calls, EngineConnection engine) {
    this.settings = settings;
    this.calls = calls;
    this.engine = engine;
  }

  List<VolumeInfo> list(String nodeId) {
    List<InspectVolumeResponse> all = volumes(nodeId, false);
    // Dangling: mounted by no container, running or not (the engine's own notion, one more call).
    Set<String> unused = volumes(nodeId, true).stream().map(InspectVolumeResponse::getName).collect(Collectors.toSet());
    return all.stream()
        .map(volume -> new VolumeInfo(volume.getName(), label(volume, EnvironmentNames.ENV_LABEL),
            label(volume, EnvironmentNames.VOLUME_TARGET_LABEL), createdAt(volume), !unused.contains(volume.getName())))
        .sorted(Comparator.comparing(VolumeInfo::name))
        .toList();
  }

  VolumeRemoval remove(String nodeId, String name) {
    return calls.call("removing volume " + name, settings.callTimeout(), () -> {
      InspectVolumeResponse volume;
      try {
        volume = engine.client().inspectVolumeCmd(name).exec();
      } catch (NotFoundException missing) {
        return VolumeRemoval.NOT_FOUND;
      }
      if (!nodeId.equals(label(volume, EnvironmentNames.NODE_LABEL)) || label(volume, EnvironmentNames.ENV_LABEL) == null) {
        return VolumeRemoval.NOT_FOUND;
      }
      try {
        engine.client().removeVolumeCmd(name).exec();
      } catch (NotFoundException goneMeanwhile) {
        return VolumeRemoval.NOT_FOUND;
      } catch (ConflictException inUse) {
        return VolumeRemoval.IN_USE;
      }
      log.info("removed volume {} of environment {} on node {}", name, label(volume, EnvironmentNames.ENV_LABEL), nodeId);
      return VolumeRemoval.REMOVED;
    });
  }

  private List<InspectVolumeResponse> volumes(String nodeId, boolean danglingOnly) {
    List<InspectVolumeResponse> found = calls.call("listing the volumes of node " + nodeId, settings.callTimeout(), () -> {
      var command = engine.client().listVolumesCmd()
          .withFilter("label", List.of(EnvironmentNames.NODE_LABEL + "=" + nodeId, EnvironmentNames.ENV_LABEL));
      return (danglingOnly ? command.withDanglingFilter(true) : command).exec().getVolumes();
    });
    return found == null ? List.of() : found;
  }

  private static String label(InspectVolumeResponse volume, String key) {
    Map<String, String> labels = volume.getLabels();
    return labels == null ? null : labels.get(key);
  }

  /** docker-java's model lacks the engine's {@code CreatedAt}; it keeps it among the raw values. */
  private static Instant createdAt(InspectVolumeResponse volume) {
    Object raw = volume.getRawValues().get("CreatedAt");
    if (!(raw instanceof String text)) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException unexpected) {
      return null;
    }
  }
}
