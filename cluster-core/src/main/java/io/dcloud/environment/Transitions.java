package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.ContainerExited;
import io.dcloud.environment.EnvironmentEntity.ContainerRunning;
import io.dcloud.environment.EnvironmentEntity.ContainerStarting;
import io.dcloud.environment.EnvironmentEntity.DatasetsPreparing;
import io.dcloud.environment.EnvironmentEntity.DeleteRequested;
import io.dcloud.environment.EnvironmentEntity.Deleted;
import io.dcloud.environment.EnvironmentEntity.DeploymentFailed;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.ImageBuilding;
import io.dcloud.environment.EnvironmentEntity.LostWithNode;
import io.dcloud.environment.EnvironmentEntity.ReadinessChanged;
import io.dcloud.environment.EnvironmentEntity.Relocated;
import io.dcloud.environment.EnvironmentEntity.Rescheduled;
import io.dcloud.environment.EnvironmentEntity.LimitsApplied;
import io.dcloud.environment.EnvironmentEntity.LimitsRefused;
import io.dcloud.environment.EnvironmentEntity.Resized;
import io.dcloud.environment.EnvironmentEntity.RestartRequested;
import io.dcloud.environment.EnvironmentSharding.RestartBackoff;
import io.dcloud.environment.EnvironmentEntity.RestartScheduled;
import io.dcloud.environment.EnvironmentEntity.StartRequested;
import io.dcloud.environment.EnvironmentEntity.StopRequested;
import io.dcloud.environment.EnvironmentEntity.Stopped;
import io.dcloud.environment.EnvironmentState.Removal;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a request, a scheduler's answer or a node's report means for an environment in its
 * current state: the events to persist, none when it changes nothing. Pure functions of the state,
 * so the whole status × message table (docs/ARCHITECTURE.md) is here and tested without actors.
 */
final class Transitions {
  private Transitions() {}

  /** The statuses in which the environment keeps a reservation with the scheduler. */
  static final Set<EnvironmentStatus> HOLDING_A_PLACE = Set.of(
      EnvironmentStatus.PLACED, EnvironmentStatus.BUILDING, EnvironmentStatus.STARTING, EnvironmentStatus.RUNNING,
      EnvironmentStatus.STOPPING, EnvironmentStatus.PREPARING);

  static boolean waitingForPlace(EnvironmentState state) {
    return state.status() == EnvironmentStatus.REQUESTED || state.status() == EnvironmentStatus.QUEUED;
  }

  /**
   * Null when stopping changes nothing (already stopped, failed, stopping). Where no node holds a
   * container (not placed yet, or lost with its node) there is nothing to stop: it is stopped at
   * once rather than waiting for a node that cannot answer. One whose exited container waits for
   * its restart policy's restart stays down: the restart is off.
   */
  static Event stop(EnvironmentState state, Instant at, String actor) {
    return stop(state, at, actor, null, null);
  }

  /**
   * With a {@code reason}, DCloud's own stop: of a RUNNING environment only, else nothing changes.
   * {@code address}: where a user's request came from (here and below), for the audit log.
   */
  static Event stop(EnvironmentState state, Instant at, String actor, String reason, String address) {
    if (reason != null) {
      return state.status() == EnvironmentStatus.RUNNING ? new StopRequested(at, actor, reason) : null;
    }
    if (state.restartPending()) {
      return new Stopped("stopped" + by(actor) + ": its restart is off", at, actor, address);
    }
    return switch (state.status()) {
      case REQUESTED, QUEUED -> new Stopped("stopped" + by(actor) + " before it was placed", at, actor, address);
      case LOST -> new Stopped("stopped" + by(actor) + "; its node was lost", at, actor, address);
      case PLACED, PREPARING, BUILDING, STARTING, RUNNING -> new StopRequested(at, actor, null, address);
      // Stopping to restart: it stays stopped.
      case STOPPING -> state.removal() == Removal.RESTART ? new StopRequested(at, actor, null, address) : null;
      default -> null;
    };
  }

  /**
   * A user's restart: one that runs (or is on its way to) is stopped, then started again; one that
   * is stopped, failed or lost is started; a stop under way becomes a restart. Null when it changes
   * nothing: waiting for a place (it starts once placed), restarting already, or moving off a
   * draining node (it starts on another). A deletion under way is the caller's conflict.
   */
  static Event restart(EnvironmentState state, Instant at, String actor, String address) {
    return switch (state.status()) {
      case PLACED, PREPARING, BUILDING, STARTING, RUNNING -> new RestartRequested(at, actor, address);
      case STOPPING -> state.removal() == Removal.NONE ? new RestartRequested(at, actor, address) : null;
      case STOPPED, FAILED, LOST -> new StartRequested(at, actor, null, address);
      default -> null;
    };
  }

  static Event start(EnvironmentState state, Instant at, String actor) {
    return start(state, at, actor, null);
  }

  /** Null when starting changes nothing; STOPPING cannot start (the caller says so). */
  static Event start(EnvironmentState state, Instant at, String actor, String address) {
    return switch (state.status()) {
      case STOPPED, FAILED, LOST -> new StartRequested(at, actor, null, address);
      default -> null;
    };
  }

  /**
   * A user's resize: empty when it asks for what it has; null when it cannot be done now (on its way
   * to running or stopping: the caller says so). A stopped one takes its new size at its next start. A
   * running one whose scheduler holds the new size already ({@code inPlace}) changes its container's
   * limits as it runs; one whose GPUs change, or whose size the scheduler did not weigh, restarts, and
   * its start asks the scheduler for the new size on its node (which gives its old reservation back
   * first, see {@code SchedulerBehavior}). That restart is part of the resize: no actor of its own, so
   * the audit has one line for the user's one request.
   */
  static List<Event> resize(EnvironmentState state, Resources resources, boolean inPlace, Instant at, String actor, String address) {
    if (resources.equals(state.spec().resources())) {
      return List.of();
    }
    boolean sameGpus = resources.gpus() == state.spec().resources().gpus();
    return switch (state.status()) {
      case RUNNING -> inPlace && sameGpus
          ? List.of(new Resized(resources, at, actor, address, true))
          : List.of(new Resized(resources, at, actor, address), new RestartRequested(at, null, address));
      case STOPPED, FAILED, LOST -> List.of(new Resized(resources, at, actor, address));
      default -> null;
    };
  }

  static Event delete(EnvironmentState state, Instant at, String actor) {
    return delete(state, at, actor, null);
  }

  /** Null when a deletion is under way already. */
  static Event delete(EnvironmentState state, Instant at, String actor, String address) {
    if (state.deleting()) {
      return null;
    }
    return state.node() == null ? new Deleted(at, actor, address) : new DeleteRequested(at, actor, address);
  }

  /** " by alice" for the history, or nothing when DCloud itself acted. */
  static String by(String actor) {
    return actor == null ? "" : " by " + actor;
  }

  /**
   * The node is gone, and the container with it. Unless the user had stopped it or the restart
   * policy is {@code never}, the environment asks for a new place at once. Empty when the news is
   * old (another node, or already LOST).
   */
  static List<Event> nodeGone(EnvironmentState state, String nodeId, Instant at) {
    if (!nodeId.equals(state.node()) || state.status() == EnvironmentStatus.LOST) {
      return List.of();
    }
    if (state.deleting()) {
      return List.of(new Deleted(at));
    }
    EnvironmentSpec.RestartPolicy policy = state.spec().restartPolicy();
    boolean restart = policy != EnvironmentSpec.RestartPolicy.NEVER && state.status() != EnvironmentStatus.STOPPED;
    return restart
        ? List.of(new LostWithNode(nodeId, at), new Rescheduled(policy, at))
        : List.of(new LostWithNode(nodeId, at));
  }

  /**
   * A RUNNING report of the running container that says other than the state of its readiness: ready
   * or not, or, while it is not, why (the report's message).
   */
  private static Event readiness(EnvironmentState state, ContainerReport report, Instant at) {
    if (state.status() != EnvironmentStatus.RUNNING || report.ready() == null) {
      return null;
    }
    String reason = report.ready() ? null : report.message();
    boolean changed = !report.ready().equals(state.ready()) || !Objects.equals(reason, state.reason());
    return changed ? new ReadinessChanged(report.ready(), at, reason) : null;
  }

  /**
   * The events a node's report means in the current state (none when it changes nothing). A
   * container that ran before its node reported it STARTING ({@code dcloud.node.starting-report-delay})
   * is reported RUNNING alone, naming its datasets: both steps are written, in one journal write.
   */
  static List<Event> report(EnvironmentState state, ContainerReport report, Instant at, RestartBackoff backoff) {
    EnvironmentStatus status = state.status();
    if (report.phase() == ContainerPhase.RUNNING && startable(status)) {
      return List.of(new ContainerStarting(at, report.datasets()),
          new ContainerRunning(report.containerId(), report.ports(), at));
    }
    Event event = single(state, report, at);
    if (event == null) {
      return List.of();
    }
    if (event instanceof Stopped && state.removal() == Removal.RESTART) {
      // Its restart's stop is done: started again in the same write, keeping its place on the node.
      return List.of(event, new StartRequested(at));
    }
    RestartScheduled restart = event instanceof ContainerExited exited ? restartAfter(state, exited, backoff) : null;
    return restart == null ? List.of(event) : List.of(event, restart);
  }

  /**
   * What the restart policy makes of a container that exited by itself: its restart, or null when
   * it stays down — by its policy, or as a service's replica, which its service replaces instead.
   * The count of restarts in a row starts over when the container had run {@code resetAfter}.
   */
  static RestartScheduled restartAfter(EnvironmentState state, ContainerExited exited, RestartBackoff backoff) {
    EnvironmentSpec spec = state.spec();
    boolean cleanly = Integer.valueOf(0).equals(exited.exitCode()) && !exited.oomKilled();
    if (spec.service() != null || !spec.restartPolicy().restartsAfterExit(cleanly)) {
      return null;
    }
    long runningSince = lastRunningSince(state);
    boolean ranLongEnough = runningSince == 0 || exited.at().toEpochMilli() - runningSince >= backoff.resetAfter().toMillis();
    int restart = state.restart() == null || ranLongEnough ? 1 : state.restart().count() + 1;
    return new RestartScheduled(restart, backoff.delay(restart).toMillis(), exited.at());
  }

  /** When it last went RUNNING (epoch millis), 0 when its history no longer says. */
  private static long lastRunningSince(EnvironmentState state) {
    List<EnvironmentState.Step> steps = state.steps();
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (steps.get(i).status() == EnvironmentStatus.RUNNING) {
        return steps.get(i).atMilli();
      }
    }
    return 0;
  }

  /**
   * The restart that is due, when it still is: none after the owner started, stopped or deleted
   * it, or for a tick of an earlier restart.
   */
  static StartRequested restartDue(EnvironmentState state, long dueAtMilli, Instant at) {
    return state.restartPending() && state.restart().dueAtMilli() == dueAtMilli && state.removal() == Removal.NONE
        ? new StartRequested(at, null, state.restart().count() + 1)
        : null;
  }

  private static boolean startable(EnvironmentStatus status) {
    return status == EnvironmentStatus.PLACED || status == EnvironmentStatus.PREPARING
        || status == EnvironmentStatus.BUILDING;
  }

  private static Event single(EnvironmentState state, ContainerReport report, Instant at) {
    EnvironmentStatus status = state.status();
    boolean stopping = status == EnvironmentStatus.STOPPING;
    return switch (report.phase()) {
      case PREPARING -> status == EnvironmentStatus.PLACED ? new DatasetsPreparing(at) : null;
      case BUILDING -> status == EnvironmentStatus.PLACED || status == EnvironmentStatus.PREPARING
          ? new ImageBuilding(at)
          : null;
      case STARTING -> startable(status) ? new ContainerStarting(at, report.datasets()) : null;
      case RUNNING -> stopping || (status == EnvironmentStatus.RUNNING && report.containerId().equals(state.containerId()))
          ? readiness(state, report, at)
          : new ContainerRunning(report.containerId(), report.ports(), at);
      case EXITED -> {
        if (stopping && !state.removal().removesContainer()) {
          yield new Stopped(state.removal() == Removal.RESTART ? "stopped to restart" : "stopped on request", at);
        }
        boolean wasUp = status == EnvironmentStatus.RUNNING || status == EnvironmentStatus.STARTING;
        yield wasUp
            ? new ContainerExited(report.containerId(), report.exitCode(), report.oomKilled(), exitReason(state, report), at)
            : null;
      }
      case REMOVED -> switch (state.removal()) {
        case DELETE -> new Deleted(at);
        case RELOCATE -> new Relocated(at);
        case NONE, RESTART -> new DeploymentFailed("the container was removed outside DCloud", at);
      };
      case FAILED -> stopping ? new Stopped(report.message(), at) : new DeploymentFailed(report.message(), at);
      case MISSING -> missing(state, report, at);
      case RESIZED -> awaitsLimits(state, report) ? new LimitsApplied(report.limits(), at) : null;
      case NOT_RESIZED -> awaitsLimits(state, report) ? new LimitsRefused(report.message(), at) : null;
    };
  }

  /** The node's answer to the limits it runs with now; one about limits since replaced changes nothing. */
  private static boolean awaitsLimits(EnvironmentState state, ContainerReport report) {
    return state.status() == EnvironmentStatus.RUNNING && Boolean.TRUE.equals(state.resizing())
        && state.spec().resources().equals(report.limits());
  }

  private static Event missing(EnvironmentState state, ContainerReport report, Instant at) {
    if (state.deleting()) {
      return new Deleted(at);
    }
    if (state.removal() == Removal.RELOCATE) {
      return new Relocated(at);
    }
    // Without a container yet the node simply has not deployed it; the retry will.
    return state.containerId() == null
        ? null
        : new DeploymentFailed("the container disappeared from node " + report.nodeId() + " while DCloud was not watching", at);
  }

  private static String exitReason(EnvironmentState state, ContainerReport report) {
    if (report.oomKilled()) {
      return "killed: out of memory (limit " + Quantities.describeBytes(state.spec().resources().memoryBytes()) + ")";
    }
    return "exited with code " + report.exitCode();
  }
}
