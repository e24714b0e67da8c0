package io.dcloud.environment;

import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentView.HistoryEntry;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.Durations;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.PublishedPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An environment as its events made it, for its entity and for the read side (one fold, {@link
 * #apply}). {@code spec == null} until created. {@code node} is kept while a container may exist there;
 * {@code removal} says what a STOPPING ends in besides STOPPED: deletion or a new place (relocation
 * off a draining node), both removing the container, or a restart of the container kept. {@code sharedWith}: the groups whose members may see it
 * (one shared empty list when none: most environments are shared with no one). {@code datasets}:
 * what its container mounts, each with the version it resolved to on its node; null until a node
 * said so (and for containers started before it was recorded). {@code ready}: whether a service
 * replica's running container answered its readiness path, as its node last said; null until then
 * (a new container starts unknown) and for environments that are no service's replica.
 * {@code restart}: the restarts its restart policy made (in a row, and in all) after its container exited, and
 * when the next is due; null for the many that never exited. {@code resizing}: true while a running
 * container's limits change to its spec's (an in-place resize), until its node says they have; null otherwise.
 * {@code resizeAsked}: a running one's resize the scheduler is weighing ({@link ResizeWeighing}); null otherwise.
 */
public record EnvironmentState(
    String id,
    EnvironmentStatus status,
    EnvironmentSpec spec,
    ImageRecipe recipe,
    String node,
    List<String> gpus,
    String containerId,
    List<PublishedPort> ports,
    String reason,
    Integer queuePosition,
    Removal removal,
    long createdAtMilli,
    List<Step> steps,
    String owner,
    List<String> sharedWith,
    List<EnvironmentSpec.DatasetRef> datasets,
    Boolean ready,
    Restart restart,
    Boolean resizing,
    EnvironmentEntity.ResizeAsked resizeAsked)
    implements CborSerializable {

  /** The statuses in which nothing is settled yet: the entity keeps re-sending what it waits for. */
  private static final Set<EnvironmentStatus> TRANSITIONAL = Set.of(
      EnvironmentStatus.REQUESTED, EnvironmentStatus.QUEUED, EnvironmentStatus.PLACED, EnvironmentStatus.BUILDING,
      EnvironmentStatus.STARTING, EnvironmentStatus.STOPPING, EnvironmentStatus.PREPARING);

  /** What an environment's STOPPING is for, besides a stop. */
  public enum Removal {
    NONE,
    DELETE,
    RELOCATE,
    /** Its container is stopped, then started again (a user's restart): nothing is removed. */
    RESTART;

    /** Whether the container goes: deletion and relocation remove it, a stop and a restart keep it. */
    public boolean removesContainer() {
      return this == DELETE || this == RELOCATE;
    }
  }

  /**
   * One lifecycle step as the state keeps it. Its message is {@code text} followed by
   * {@code subject}, a node id, image tag or container id the state holds anyway (shown as a
   * short id when {@code shortSubject}): a hundred thousand environments keep no formatted copies
   * of those strings, nor an {@link Instant} per step.
   */
  public record Step(long atMilli, EnvironmentStatus status, String text, String subject, boolean shortSubject)
      implements CborSerializable {
    public String message() {
      return subject == null ? text : text + (shortSubject ? shortId(subject) : subject);
    }

    public Instant at() {
      return Instant.ofEpochMilli(atMilli);
    }

    HistoryEntry entry() {
      return new HistoryEntry(at(), status, message());
    }
  }

  /**
   * Whether {@code event} adds a step to the history: a few change the state alone (see {@link
   * #apply}), and what announces the new steps of a write must not take an older one for its own.
   */
  static boolean addsStep(EnvironmentEntity.Event event) {
    return !(event instanceof EnvironmentEntity.ResizeAsked || event instanceof EnvironmentEntity.RestartScheduled
        || event instanceof EnvironmentEntity.ReadinessChanged);
  }

  /** The one fold of events into state, shared by the entity and the read side. */
  public EnvironmentState apply(EnvironmentEntity.Event event, int historyLimit) {
    Instant at = event.at();
    if (event instanceof EnvironmentEntity.Requested e) {
      EnvironmentState created = created(e.spec(), e.recipe(), e.owner());
      // "requested by <owner>" from the owner the state holds anyway, not a formatted copy per environment.
      return created.owner() == null
          ? created.to(EnvironmentStatus.REQUESTED, "requested", at, historyLimit)
          : created.to(EnvironmentStatus.REQUESTED, "requested by ", created.owner(), false, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.QueuedForCapacity e) {
      return withQueuePosition(e.position()).withReason(e.reason())
          .to(EnvironmentStatus.QUEUED, "queued at position " + e.position() + ": " + e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.PlacedOnNode e) {
      // Placed away from a stopped container's node (that node is gone): its container is history.
      EnvironmentState placed = e.nodeId().equals(node) ? this : withContainer(null, List.of());
      EnvironmentState onNode = placed.withPlacement(e.nodeId(), e.gpuUuids()).withReason(null);
      if (e.reason() != null) {
        String gpus = e.gpuUuids().isEmpty() ? "" : " with GPUs " + String.join(", ", e.gpuUuids());
        return onNode.to(EnvironmentStatus.PLACED, "placed on node " + e.nodeId() + gpus + ": " + e.reason(), at, historyLimit);
      }
      return e.gpuUuids().isEmpty()
          ? onNode.to(EnvironmentStatus.PLACED, "placed on node ", e.nodeId(), false, at, historyLimit)
          : onNode.to(EnvironmentStatus.PLACED, "placed on node " + e.nodeId() + " with GPUs " + String.join(", ", e.gpuUuids()), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.PlacementRefused e) {
      return withReason(e.reason()).to(EnvironmentStatus.FAILED, e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ImageBuilding) {
      return to(EnvironmentStatus.BUILDING, "building image ", recipe.tag(), false, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.DatasetsPreparing) {
      return to(EnvironmentStatus.PREPARING, "fetching datasets into the node's cache", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ContainerStarting e) {
      return (e.datasets() == null ? this : withDatasets(e.datasets()))
          .to(EnvironmentStatus.STARTING, "starting container", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ContainerRunning e) {
      return withContainer(e.containerId(), e.ports()).withReason(null)
          .to(EnvironmentStatus.RUNNING, "running as container ", e.containerId(), true, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ContainerExited e) {
      boolean clean = Integer.valueOf(0).equals(e.exitCode()) && !e.oomKilled();
      EnvironmentState exited = e.containerId() == null ? this : withContainer(e.containerId(), List.of());
      return exited.withReason(e.reason()).to(clean ? EnvironmentStatus.STOPPED : EnvironmentStatus.FAILED, e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.DeploymentFailed e) {
      return released().withReason(e.reason()).to(EnvironmentStatus.FAILED, e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.StopRequested e) {
      String message = e.reason() == null ? "stop requested" + Transitions.by(e.actor()) : e.reason();
      // A stop while a restart stops it: the start that was to follow is off.
      return withoutRestartRequest().to(EnvironmentStatus.STOPPING, message, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ResizeAsked e) {
      // No step: the scheduler's answer, a moment later, is the one.
      return withResizeAsked(e);
    } else if (event instanceof EnvironmentEntity.ResizeDeclined e) {
      return withResizeAsked(null).to(status, "not resized to " + e.resources().describeRunning() + ": " + e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.Resized e) {
      boolean inPlace = Boolean.TRUE.equals(e.inPlace());
      return withSpec(spec.withResources(e.resources())).withResizing(inPlace ? Boolean.TRUE : resizing).withResizeAsked(null)
          .to(status, "resized to " + e.resources().describeRunning() + (inPlace ? " as it runs" : "") + Transitions.by(e.actor()),
              at, historyLimit);
    } else if (event instanceof EnvironmentEntity.LimitsApplied e) {
      return withResizing(null).to(status, "its container's limits are now " + e.resources().describeRunning(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.LimitsRefused e) {
      return removing(Removal.RESTART).withResizing(null).to(EnvironmentStatus.STOPPING,
          "its container's limits could not change as it runs (" + e.reason() + "): restarting with them", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.RestartRequested e) {
      return removing(Removal.RESTART).to(EnvironmentStatus.STOPPING, "restart requested" + Transitions.by(e.actor()), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.Stopped e) {
      // A restart that was due is off: the owner's stop is never undone.
      return (containerId == null ? released() : this).withoutRestartRequest().withRestart(notPending()).withReason(null)
          .to(EnvironmentStatus.STOPPED, e.reason(), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.RestartScheduled e) {
      // No step of its own: the exit's step is the one before, and a crash loop keeps the history short.
      return withRestart(new Restart(e.restart() - 1, at.toEpochMilli() + e.delayMillis(), restartsTotal()))
          .withReason(reason + "; restart " + e.restart() + " in " + Durations.format(Duration.ofMillis(e.delayMillis())));
    } else if (event instanceof EnvironmentEntity.StartRequested e) {
      // A user's start begins the count of restarts in a row again; the policy's carries it on.
      EnvironmentState starting = withRestart(e.restart() == null ? null : new Restart(e.restart(), 0, restartsTotal() + 1));
      String text = e.restart() == null
          ? "start requested" + Transitions.by(e.actor())
          : "restart " + e.restart() + " by its restart policy " + RunSettingsReader.contractName(spec.restartPolicy());
      return containerId == null
          ? starting.released().withReason(null).to(EnvironmentStatus.REQUESTED, text + ": finding a node", at, historyLimit)
          : starting.withReason(null).to(EnvironmentStatus.REQUESTED, text + ": reserving its place on node ", node, false, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.DeleteRequested e) {
      return removing(Removal.DELETE).to(EnvironmentStatus.STOPPING, "delete requested" + Transitions.by(e.actor()), at, historyLimit);
    } else if (event instanceof EnvironmentEntity.RelocationRequested e) {
      return removing(Removal.RELOCATE).to(EnvironmentStatus.STOPPING, "node " + e.nodeId() + " is draining: moving", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.Relocated) {
      return released().removing(Removal.NONE).to(EnvironmentStatus.REQUESTED, "removed from the draining node: finding another", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.LostWithNode e) {
      return released().removing(Removal.NONE).withReason("node " + e.nodeId() + " was lost")
          .to(EnvironmentStatus.LOST, "node " + e.nodeId() + " was lost with the container", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.Rescheduled e) {
      return withReason(null).to(EnvironmentStatus.REQUESTED, "restart policy " + e.policy() + ": finding another node", at, historyLimit);
    } else if (event instanceof EnvironmentEntity.SharedWith e) {
      // A step in the history too: who shared it with whom is worth keeping.
      String message = (e.groups().isEmpty() ? "no longer shared" : "shared with groups " + String.join(", ", e.groups()))
          + Transitions.by(e.actor());
      return withSharedWith(e.groups()).to(status, message, at, historyLimit);
    } else if (event instanceof EnvironmentEntity.ReadinessChanged e) {
      // No history step: a replica that flaps would push its lifecycle out of the history. While it
      // runs but is not ready, its reason says why (a RUNNING environment has none otherwise).
      return withReady(e.ready()).withReason(e.ready() ? null : e.reason());
    } else if (event instanceof EnvironmentEntity.Deleted) {
      return released().to(EnvironmentStatus.DELETED, deletedMessage(), at, historyLimit);
    }
    throw new IllegalArgumentException("unknown event " + event.getClass().getName());
  }

  public static EnvironmentState empty(String id) {
    return new EnvironmentState(id, null, null, null, null, List.of(), null, List.of(), null, null, Removal.NONE, 0, List.of(), null, List.of(), null, null, null, null, null);
  }

  /**
   * {@code count}: the restarts made in a row (what the back-off doubles on); {@code dueAtMilli}:
   * when the next (the {@code count + 1}th) is due (epoch millis), 0 when none is; {@code total}:
   * every restart its policy made since it was created or last started by hand, in a row or not,
   * as Docker's RestartCount and Kubernetes' RESTARTS count them (a container that fails every 15
   * minutes restarts "1 in a row" each time).
   */
  public record Restart(int count, long dueAtMilli, int total) implements CborSerializable {}

  /** A restart is due (at {@code restart.dueAtMilli}). */
  boolean restartPending() {
    return restart != null && restart.dueAtMilli() != 0
        && (status == EnvironmentStatus.FAILED || status == EnvironmentStatus.STOPPED);
  }

  /** The restarts made in a row, none due. */
  private Restart notPending() {
    return restart == null || restart.dueAtMilli() == 0 ? restart : new Restart(restart.count(), 0, restart.total());
  }

  private int restartsTotal() {
    return restart == null ? 0 : restart.total();
  }

  boolean exists() {
    return spec != null;
  }

  /** On its way somewhere, or running with limits its node has yet to apply: the entity re-sends what it waits for. */
  boolean transitional() {
    return status != null && TRANSITIONAL.contains(status) || Boolean.TRUE.equals(resizing);
  }

  public EnvironmentView view() {
    return new EnvironmentView(
        id,
        spec == null ? null : spec.name(),
        status,
        node,
        containerId,
        spec,
        recipe,
        gpus,
        ports,
        persistentVolumes(),
        reason,
        queuePosition,
        steps.isEmpty() ? null : Instant.ofEpochMilli(createdAtMilli),
        steps.isEmpty() ? null : steps.get(steps.size() - 1).at(),
        history(),
        owner,
        sharedWith,
        datasets,
        spec == null || spec.service() == null ? null : status == EnvironmentStatus.RUNNING && Boolean.TRUE.equals(ready),
        restart == null || restart.total() == 0 ? null : restart.total(),
        restartPending() ? Instant.ofEpochMilli(restart.dueAtMilli()) : null,
        resizing);
  }

  /** The engine volumes of the node holding the container (none before a node holds it). */
  List<String> volumes(Lifecycle lifecycle) {
    return spec == null || node == null ? List.of() : spec.volumeNames(node, id, lifecycle);
  }

  List<String> persistentVolumes() {
    return volumes(Lifecycle.PERSISTENT);
  }

  /** The lifecycle as views show it, oldest first. */
  public List<HistoryEntry> history() {
    return steps.stream().map(Step::entry).toList();
  }

  EnvironmentState to(EnvironmentStatus next, String message, Instant at, int historyLimit) {
    return to(next, message, null, false, at, historyLimit);
  }

  EnvironmentState to(EnvironmentStatus next, String text, String subject, boolean shortSubject, Instant at, int historyLimit) {
    List<Step> longer = new ArrayList<>(steps);
    longer.add(new Step(at.toEpochMilli(), next, text, subject, shortSubject));
    List<Step> kept =
        longer.size() > historyLimit ? longer.subList(longer.size() - historyLimit, longer.size()) : longer;
    return new EnvironmentState(
        id, next, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal,
        steps.isEmpty() ? at.toEpochMilli() : createdAtMilli, List.copyOf(kept), owner, sharedWith, datasets, ready,
        next == EnvironmentStatus.FAILED || next == EnvironmentStatus.STOPPED ? restart : notPending(),
        // A container that no longer runs takes its spec's limits when it next starts.
        next == EnvironmentStatus.RUNNING ? resizing : null,
        next == EnvironmentStatus.RUNNING ? resizeAsked : null);
  }

  EnvironmentState withPlacement(String newNode, List<String> newGpus) {
    return new EnvironmentState(
        id, status, spec, recipe, newNode, List.copyOf(newGpus), containerId, ports, reason, null, removal,
        createdAtMilli, steps, owner, sharedWith, datasets, ready, restart, resizing, resizeAsked);
  }

  EnvironmentState withContainer(String newContainerId, List<PublishedPort> newPorts) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, newContainerId, List.copyOf(newPorts), reason, queuePosition,
        removal, createdAtMilli, steps, owner, sharedWith, datasets, null, restart, resizing, resizeAsked);
  }

  EnvironmentState withReason(String newReason) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, newReason, queuePosition, removal, createdAtMilli, steps, owner, sharedWith, datasets, ready,
        restart, resizing, resizeAsked);
  }

  EnvironmentState withQueuePosition(Integer position) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, position, removal, createdAtMilli, steps, owner, sharedWith, datasets, ready,
        restart, resizing, resizeAsked);
  }

  /** A user's restart is done with (stopped) or off (stopped for good): a deletion or relocation stays. */
  private EnvironmentState withoutRestartRequest() {
    return removal == Removal.RESTART ? removing(Removal.NONE) : this;
  }

  EnvironmentState removing(Removal purpose) {
    return purpose == removal ? this : new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, purpose, createdAtMilli, steps, owner, sharedWith, datasets, ready,
        restart, resizing, resizeAsked);
  }

  EnvironmentState withSpec(EnvironmentSpec resized) {
    return new EnvironmentState(
        id, status, resized, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, datasets, ready, restart, resizing, resizeAsked);
  }

  EnvironmentState withSharedWith(List<String> groups) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        groups.isEmpty() ? List.of() : List.copyOf(groups), datasets, ready, restart, resizing, resizeAsked);
  }

  EnvironmentState withDatasets(List<EnvironmentSpec.DatasetRef> mounted) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, List.copyOf(mounted), ready, restart, resizing, resizeAsked);
  }

  EnvironmentState withRestart(Restart next) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, datasets, ready, next, resizing, resizeAsked);
  }

  /** See {@link #resizing}: true from an in-place {@link EnvironmentEntity.Resized} until its node applied the limits. */
  EnvironmentState withResizing(Boolean nowResizing) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, datasets, ready, restart, nowResizing, resizeAsked);
  }

  /** See {@link #resizeAsked}. */
  EnvironmentState withResizeAsked(EnvironmentEntity.ResizeAsked asked) {
    return asked == resizeAsked ? this : new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, datasets, ready, restart, resizing, asked);
  }

  EnvironmentState withReady(Boolean nowReady) {
    return new EnvironmentState(
        id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal, createdAtMilli, steps, owner,
        sharedWith, datasets, nowReady, restart, resizing, resizeAsked);
  }

  boolean deleting() {
    return removal == Removal.DELETE;
  }

  /** Nothing runs and nothing is reserved any more. */
  EnvironmentState released() {
    // The datasets were the container's mounts: they go with it.
    return new EnvironmentState(
        id, status, spec, recipe, null, List.of(), null, List.of(), reason, null, removal, createdAtMilli, steps, owner, sharedWith, null, null,
        restart, null, null);
  }

  EnvironmentState created(EnvironmentSpec newSpec, ImageRecipe newRecipe, String newOwner) {
    return new EnvironmentState(
        id, status, SharedValues.spec(newSpec), SharedValues.recipe(newRecipe), null, List.of(), null, List.of(), null, null,
        Removal.NONE, createdAtMilli, steps, newOwner == null ? null : newOwner.intern(), sharedWith, null, null, null, null, null);
  }

  private String deletedMessage() {
    List<String> kept = persistentVolumes();
    return kept.isEmpty() ? "deleted" : "deleted; persistent volumes kept: " + String.join(", ", kept);
  }

  private static String shortId(String containerId) {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }
}
