package io.dcloud.environment;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;

/**
 * An environment as its entity answers for it: what was asked, where it runs, what became of it,
 * the history of its lifecycle, and whose it is ({@code owner}: null for environments created
 * before DCloud had users). Immutable, so it is safe to send anywhere. {@code sharedWith}: the
 * groups whose members may see it read-only (empty when none; views written before sharing
 * existed read back with none). {@code datasets}: what its container mounts, each with the version
 * it resolved to ("latest" when it started); null when unknown or none. {@code ready}: for a
 * service's replica, RUNNING and its readiness path answered 2xx; null for other environments.
 * {@code restarts}: how many times its restart policy started it again after its container exited,
 * since it was created or a user last started it, as Docker's RestartCount and Kubernetes' RESTARTS
 * count them (null: none); {@code restartAt}: when the next such restart is due (null when none is).
 * {@code resizing}: true while its node changes its running container's limits to a resize's (null otherwise).
 */
public record EnvironmentView(
    String id,
    String name,
    EnvironmentStatus status,
    String node,
    String containerId,
    EnvironmentSpec spec,
    ImageRecipe image,
    List<String> gpus,
    List<PublishedPort> ports,
    List<String> persistentVolumes,
    String reason,
    Integer queuePosition,
    Instant createdAt,
    Instant updatedAt,
    List<HistoryEntry> history,
    String owner,
    List<String> sharedWith,
    List<EnvironmentSpec.DatasetRef> datasets,
    Boolean ready,
    Integer restarts,
    Instant restartAt,
    Boolean resizing)
    implements CborSerializable {

  public EnvironmentView {
    sharedWith = sharedWith == null ? List.of() : sharedWith;
  }

  /** A view of an environment whose limits are not changing as it runs. */
  public EnvironmentView(
      String id, String name, EnvironmentStatus status, String node, String containerId, EnvironmentSpec spec,
      ImageRecipe image, List<String> gpus, List<PublishedPort> ports, List<String> persistentVolumes, String reason,
      Integer queuePosition, Instant createdAt, Instant updatedAt, List<HistoryEntry> history, String owner,
      List<String> sharedWith, List<EnvironmentSpec.DatasetRef> datasets, Boolean ready, Integer restarts, Instant restartAt) {
    this(id, name, status, node, containerId, spec, image, gpus, ports, persistentVolumes, reason, queuePosition,
        createdAt, updatedAt, history, owner, sharedWith, datasets, ready, restarts, restartAt, null);
  }

  /** A view of an environment its restart policy never restarted. */
  public EnvironmentView(
      String id, String name, EnvironmentStatus status, String node, String containerId, EnvironmentSpec spec,
      ImageRecipe image, List<String> gpus, List<PublishedPort> ports, List<String> persistentVolumes, String reason,
      Integer queuePosition, Instant createdAt, Instant updatedAt, List<HistoryEntry> history, String owner,
      List<String> sharedWith, List<EnvironmentSpec.DatasetRef> datasets, Boolean ready) {
    this(id, name, status, node, containerId, spec, image, gpus, ports, persistentVolumes, reason, queuePosition,
        createdAt, updatedAt, history, owner, sharedWith, datasets, ready, null, null);
  }

  /** A view of an environment that is no service's replica. */
  public EnvironmentView(
      String id, String name, EnvironmentStatus status, String node, String containerId, EnvironmentSpec spec,
      ImageRecipe image, List<String> gpus, List<PublishedPort> ports, List<String> persistentVolumes, String reason,
      Integer queuePosition, Instant createdAt, Instant updatedAt, List<HistoryEntry> history, String owner,
      List<String> sharedWith, List<EnvironmentSpec.DatasetRef> datasets) {
    this(id, name, status, node, containerId, spec, image, gpus, ports, persistentVolumes, reason, queuePosition,
        createdAt, updatedAt, history, owner, sharedWith, datasets, null, null, null);
  }

  /** A view without the datasets its container mounts. */
  public EnvironmentView(
      String id, String name, EnvironmentStatus status, String node, String containerId, EnvironmentSpec spec,
      ImageRecipe image, List<String> gpus, List<PublishedPort> ports, List<String> persistentVolumes, String reason,
      Integer queuePosition, Instant createdAt, Instant updatedAt, List<HistoryEntry> history, String owner,
      List<String> sharedWith) {
    this(id, name, status, node, containerId, spec, image, gpus, ports, persistentVolumes, reason, queuePosition,
        createdAt, updatedAt, history, owner, sharedWith, null, null, null, null);
  }

  /** A view of an environment shared with no group. */
  public EnvironmentView(
      String id, String name, EnvironmentStatus status, String node, String containerId, EnvironmentSpec spec,
      ImageRecipe image, List<String> gpus, List<PublishedPort> ports, List<String> persistentVolumes, String reason,
      Integer queuePosition, Instant createdAt, Instant updatedAt, List<HistoryEntry> history, String owner) {
    this(id, name, status, node, containerId, spec, image, gpus, ports, persistentVolumes, reason, queuePosition,
        createdAt, updatedAt, history, owner, List.of(), null, null, null, null);
  }

  /** One lifecycle step: when, into which status, and why. */
  public record HistoryEntry(Instant at, EnvironmentStatus status, String message)
      implements CborSerializable {}
}
