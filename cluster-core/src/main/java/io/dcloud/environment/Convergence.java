package io.dcloud.environment;

import io.dcloud.dataset.DatasetIds;
import io.dcloud.dataset.DatasetState;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.Persisted;
import io.dcloud.environment.EnvironmentEntity.ReadinessChanged;
import io.dcloud.environment.EnvironmentEntity.Relocated;
import io.dcloud.environment.EnvironmentSharding.Wiring;
import io.dcloud.node.NodeLocator;
import io.dcloud.node.NodeProtocol;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.ServiceBinding;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;

/**
 * What an environment tells the rest of the cluster, after each event and on every retry: it
 * converges rather than orchestrates. It sends whatever its state still needs (a place from the
 * scheduler; deploy, start, stop or remove to its node); schedulers and nodes treat those
 * idempotently, so a lost message, a passivated entity or a restarted node only delays the outcome.
 */
final class Convergence {
  /**
   * Creates are Requested, placements PlacedOnNode...: one series per event type, on the node that
   * wrote it. Registered once per type: the registry's lookup (an id built, its tags sorted) would
   * otherwise run for every event on the create path.
   */
  private static final ClassValue<Counter> EVENTS_BY_TYPE = new ClassValue<>() {
    @Override
    protected Counter computeValue(Class<?> type) {
      return Counter.builder("dcloud.environment.events").description("Environment events persisted on this node, by type")
          .tag("event", type.getSimpleName()).register(Metrics.globalRegistry);
    }
  };

  private Convergence() {}

  /**
   * Sends what the state still needs. {@code retrying} also re-asks about what others are already
   * at (a queued request, a build in progress): right after an event the answer would only echo.
   */
  static void act(Wiring wiring, String environmentId, EnvironmentState state, boolean retrying) {
    switch (state.status()) {
      case REQUESTED -> wiring.scheduler().tell(new Scheduler.Place(placementRequest(environmentId, state)));
      case QUEUED -> {
        if (retrying) {
          wiring.scheduler().tell(new Scheduler.Place(placementRequest(environmentId, state)));
        }
      }
      case PLACED -> toNode(wiring, state.node(), deploy(environmentId, state));
      // Resized as it runs: its node changes the container's limits (again on each retry, until it says so).
      case RUNNING -> {
        if (Boolean.TRUE.equals(state.resizing())) {
          toNode(wiring, state.node(), new NodeProtocol.UpdateLimits(environmentId, state.containerId(), state.spec().resources()));
        }
      }
      // The node reported these itself: it is at work, so only a retry reminds it.
      case PREPARING, BUILDING -> {
        if (retrying) {
          toNode(wiring, state.node(), deploy(environmentId, state));
        }
      }
      case STARTING -> {
        if (state.containerId() != null) {
          toNode(wiring, state.node(), new NodeProtocol.StartContainer(environmentId, state.containerId()));
        } else if (retrying) {
          toNode(wiring, state.node(), deploy(environmentId, state));
        }
      }
      case STOPPING -> toNode(
          wiring,
          state.node(),
          state.removal().removesContainer()
              ? new NodeProtocol.RemoveContainer(environmentId, state.containerId(), state.volumes(Lifecycle.TEMPORARY))
              : new NodeProtocol.StopContainer(environmentId, state.containerId()));
      // Nothing runs: the place (and its GPUs) goes back, even where a stopped container stays.
      case DELETED, FAILED, STOPPED, LOST -> {
        if (!retrying) {
          wiring.scheduler().tell(new Scheduler.Release(environmentId));
        }
      }
      default -> {}
    }
  }

  /**
   * Publishes what was persisted: each event (with its sequence number) for read sides, each status
   * change for live streams. {@code firstSequenceNr} is the first event's.
   */
  static void announce(
      Wiring wiring, String environmentId, EnvironmentState state, List<Event> persisted, long firstSequenceNr, Logger log) {
    for (int i = 0; i < persisted.size(); i++) {
      Event event = persisted.get(i);
      wiring.events().tell(Topic.publish(new Persisted(environmentId, firstSequenceNr + i, event)));
      EVENTS_BY_TYPE.get(event.getClass()).increment();
      if (event instanceof Relocated) {
        // The reservation is still on the draining node: give it back before asking for a new place.
        wiring.scheduler().tell(new Scheduler.Release(environmentId));
      }
    }
    List<EnvironmentState.Step> steps = state.steps();
    int added = (int) persisted.stream().filter(EnvironmentState::addsStep).count();
    for (EnvironmentState.Step step : steps.subList(Math.max(0, steps.size() - added), steps.size())) {
      String message = step.message();
      wiring.updates().tell(EnvironmentUpdate.publish(new EnvironmentUpdate(
          environmentId, EnvironmentUpdate.Kind.STATUS, step.status().name(), message, step.at())));
      log.info("Environment {} is {}: {}", environmentId, step.status(), message);
    }
    ServiceBinding service = state.spec() == null ? null : state.spec().service();
    if (service != null && (added > 0 || persisted.stream().anyMatch(ReadinessChanged.class::isInstance))) {
      wiring.replicaChanged().accept(service.name(), state.view());
    }
  }

  /**
   * Tells live streams the status the entity recovered into, after a write whose outcome it could
   * not know: one that timed out may still have been applied, and then its status was never
   * published. A repeat of the last status is harmless; a status never published would leave
   * watchers waiting for good. (Read sides re-read changing environments from the journal anyway.)
   */
  static void announceCurrent(Wiring wiring, String environmentId, EnvironmentState state, Logger log) {
    List<EnvironmentState.Step> steps = state.steps();
    if (steps.isEmpty()) {
      return;
    }
    EnvironmentState.Step step = steps.get(steps.size() - 1);
    wiring.updates().tell(EnvironmentUpdate.publish(new EnvironmentUpdate(
        environmentId, EnvironmentUpdate.Kind.STATUS, step.status().name(), step.message(), step.at())));
    log.info("Environment {} is {} (recovered after a journal failure): {}", environmentId, step.status(), step.message());
  }

  static NodeProtocol.Deploy deploy(String environmentId, EnvironmentState state) {
    return new NodeProtocol.Deploy(environmentId, state.spec(), state.recipe(), state.gpus(), state.owner());
  }

  static void toNode(Wiring wiring, String nodeId, NodeProtocol.Command command) {
    wiring.nodes().tell(new NodeLocator.Send(nodeId, command));
  }

  /**
   * A stopped container is restarted where it is (its files are there), while that node lives; one
   * mounting kept volumes is placed where they are (as Kubernetes binds a pod to its local volume's node).
   */
  private static PlacementRequest placementRequest(String environmentId, EnvironmentState state) {
    String pinned = state.containerId() == null ? state.spec().keptVolumesNode() : state.node();
    ServiceBinding service = state.spec().service();
    return new PlacementRequest(environmentId, state.spec().resources(), state.spec().constraints(), pinned,
        datasets(state.spec()), service == null ? null : service.name(), service == null ? null : service.spreadRequired());
  }

  /** The dataset versions the environment mounts, for placement to prefer nodes that cache them. */
  private static List<String> datasets(EnvironmentSpec spec) {
    if (spec.datasets() == null || spec.datasets().isEmpty()) {
      return null;
    }
    return spec.datasets().stream()
        .map(ref -> DatasetIds.of(ref.category(), ref.db(), ref.dataset()) + "@"
            + (ref.version() == null ? DatasetState.LATEST : ref.version()))
        .toList();
  }
}
