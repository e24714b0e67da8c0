package io.dcloud.environment;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.ask.Asks;
import io.dcloud.catalog.ImageRecipe;
import io.dcloud.environment.EnvironmentSpec.Lifecycle;
import io.dcloud.environment.EnvironmentView.HistoryEntry;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeProtocol;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One environment, sharded by id and event sourced: the single source of truth for what was asked
 * and what became of it.
 *
 * <p>It converges rather than orchestrates: after every event, and on a timer while the
 * environment is in a transitional status, it sends whatever its state still needs (ask the
 * scheduler for a place, ask its node to deploy, stop, start or remove). Schedulers and nodes
 * treat those commands idempotently, so a lost message, a passivated entity or a restarted node
 * only delays the outcome.
 */
public final class EnvironmentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<EnvironmentEntity.Command, EnvironmentEntity.Event, EnvironmentEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Environment");

  public enum Status {
    REQUESTED,
    QUEUED,
    PLACED,
    BUILDING,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED,
    LOST,
    DELETED
  }

  /** What removing an environment's container is for. */
  public enum Removal {
    NONE,
    DELETE,
    RELOCATE
  }

  /**
   * The empty state Pekko keeps for each live entity: one shared instance, without an id; the
   * first event folds into the entity's own (see {@link #eventHandler()}).
   */
  private static final State NOTHING_YET = State.empty(null);

  /** Shared by every entity (see {@link #recovery()}). */
  private static final Recovery WITHOUT_SNAPSHOTS =
      Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());

  /** The statuses in which the environment keeps a reservation with the scheduler. */
  private static final Set<Status> HOLDING_A_PLACE =
      Set.of(Status.PLACED, Status.BUILDING, Status.STARTING, Status.RUNNING, Status.STOPPING);

  private static final Set<Status> TRANSITIONAL =
      Set.of(Status.REQUESTED, Status.QUEUED, Status.PLACED, Status.BUILDING, Status.STARTING, Status.STOPPING);

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  public record Create(EnvironmentSpec spec, ImageRecipe recipe, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Stop(ActorRef<Reply> replyTo) implements Command {}

  public record Start(ActorRef<Reply> replyTo) implements Command {}

  public record Delete(ActorRef<Reply> replyTo) implements Command {}

  public record GetStats(ActorRef<NodeProtocol.StatsReply> replyTo) implements Command {}

  public record StreamLogs(int tail, boolean follow, ActorRef<NodeProtocol.LogsReply> replyTo) implements Command {}

  /** From the scheduler: a place was reserved for this environment. */
  public record Placed(String nodeId, List<String> gpuUuids) implements Command {}

  /** From the scheduler: no room now; waiting at {@code position} (1 = next). */
  public record Queued(int position, String reason) implements Command {}

  /** From the scheduler: no node could ever hold this environment. */
  public record Refused(String reason) implements Command {}

  /** From the scheduler: the node this environment was placed on has left the cluster (crashed, downed). */
  public record NodeLost(String nodeId) implements Command {}

  /** From the scheduler: the node is draining; move the environment elsewhere. */
  public record Relocate(String nodeId) implements Command {}

  /** From the node that runs (or ran) the environment's container. */
  public record ContainerReport(
      String nodeId,
      Phase phase,
      String containerId,
      List<PublishedPort> ports,
      Integer exitCode,
      boolean oomKilled,
      String message)
      implements Command {}

  public enum Phase {
    BUILDING,
    STARTING,
    RUNNING,
    EXITED,
    REMOVED,
    FAILED,
    /** The node has no container for an environment it should run (found when it reconciles). */
    MISSING
  }

  /**
   * The entity's own reminder to re-send what it waits for, from the incarnation that scheduled it.
   * It travels through the shard: a transitional entity is then never idle (so never passivated
   * while it waits), and one passivated anyway is woken by it and converges again.
   */
  public record RetryTick(long incarnation) implements Command {}

  private record NodeLookupFailed() implements Command, NoSerializationVerificationNeeded {}

  private record NodeFound(String nodeId, Receptionist.Listing listing, NodeProtocol.Command pending)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * Every persisted event, published live with its sequence number on {@link #EVENTS_TOPIC} for
   * read sides on any node (the environment directory); they fill gaps from the journal.
   */
  public record Persisted(
      String environmentId,
      long sequenceNr,
      // The field is typed by an interface: the wire form must say which event it holds.
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@event") Event event)
      implements CborSerializable {}

  public static final String EVENTS_TOPIC = "dcloud-environment-events";

  public sealed interface Reply extends CborSerializable {}

  public record Ok(EnvironmentView view) implements Reply {}

  public record NotFound(String id) implements Reply {}

  public record Conflict(String reason) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record Requested(EnvironmentSpec spec, ImageRecipe recipe, Instant at) implements Event {}

  public record QueuedForCapacity(int position, String reason, Instant at) implements Event {}

  public record PlacedOnNode(String nodeId, List<String> gpuUuids, Instant at) implements Event {}

  public record PlacementRefused(String reason, Instant at) implements Event {}

  public record ImageBuilding(Instant at) implements Event {}

  public record ContainerStarting(Instant at) implements Event {}

  public record ContainerRunning(String containerId, List<PublishedPort> ports, Instant at) implements Event {}

  /** The container ended by itself (not on request). */
  public record ContainerExited(String containerId, Integer exitCode, boolean oomKilled, String reason, Instant at)
      implements Event {}

  /** Deploying failed, or the container vanished: nothing runs and the reservation is released. */
  public record DeploymentFailed(String reason, Instant at) implements Event {}

  public record StopRequested(Instant at) implements Event {}

  public record Stopped(String reason, Instant at) implements Event {}

  public record StartRequested(Instant at) implements Event {}

  public record DeleteRequested(Instant at) implements Event {}

  public record RelocationRequested(String nodeId, Instant at) implements Event {}

  /** The old container is gone from the draining node: find a new place. */
  public record Relocated(Instant at) implements Event {}

  /** The node went away with the container: nothing runs and nothing is reserved. */
  public record LostWithNode(String nodeId, Instant at) implements Event {}

  /** After a loss, the restart policy asks for a new place. */
  public record Rescheduled(EnvironmentSpec.RestartPolicy policy, Instant at) implements Event {}

  public record Deleted(Instant at) implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * {@code spec == null} until created. {@code node} is kept while a container may exist there;
   * {@code removal} says what a STOPPING that removes the container ends in: deletion, or a new
   * place (relocation off a draining node).
   */
  public record State(
      String id,
      Status status,
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
      List<Step> steps)
      implements CborSerializable {

    /**
     * One lifecycle step as the state keeps it. Its message is {@code text} followed by
     * {@code subject}, a node id, image tag or container id the state holds anyway (shown as a
     * short id when {@code shortSubject}): a hundred thousand environments keep no formatted copies
     * of those strings, nor an {@link Instant} per step.
     */
    public record Step(long atMilli, Status status, String text, String subject, boolean shortSubject)
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

    /** The one fold of events into state, shared by the entity and the read side. */
    public State apply(Event event, int historyLimit) {
      Instant at = event.at();
      if (event instanceof Requested e) {
        return created(e.spec(), e.recipe()).to(Status.REQUESTED, "requested", at, historyLimit);
      } else if (event instanceof QueuedForCapacity e) {
        return withQueuePosition(e.position()).withReason(e.reason())
            .to(Status.QUEUED, "queued at position " + e.position() + ": " + e.reason(), at, historyLimit);
      } else if (event instanceof PlacedOnNode e) {
        // Placed away from a stopped container's node (that node is gone): its container is history.
        State placed = e.nodeId().equals(node) ? this : withContainer(null, List.of());
        State onNode = placed.withPlacement(e.nodeId(), e.gpuUuids()).withReason(null);
        return e.gpuUuids().isEmpty()
            ? onNode.to(Status.PLACED, "placed on node ", e.nodeId(), false, at, historyLimit)
            : onNode.to(Status.PLACED, "placed on node " + e.nodeId() + " with GPUs " + String.join(", ", e.gpuUuids()), at, historyLimit);
      } else if (event instanceof PlacementRefused e) {
        return withReason(e.reason()).to(Status.FAILED, e.reason(), at, historyLimit);
      } else if (event instanceof ImageBuilding) {
        return to(Status.BUILDING, "building image ", recipe.tag(), false, at, historyLimit);
      } else if (event instanceof ContainerStarting) {
        return to(Status.STARTING, "starting container", at, historyLimit);
      } else if (event instanceof ContainerRunning e) {
        return withContainer(e.containerId(), e.ports()).withReason(null)
            .to(Status.RUNNING, "running as container ", e.containerId(), true, at, historyLimit);
      } else if (event instanceof ContainerExited e) {
        boolean clean = Integer.valueOf(0).equals(e.exitCode()) && !e.oomKilled();
        State exited = e.containerId() == null ? this : withContainer(e.containerId(), List.of());
        return exited.withReason(e.reason()).to(clean ? Status.STOPPED : Status.FAILED, e.reason(), at, historyLimit);
      } else if (event instanceof DeploymentFailed e) {
        return released().withReason(e.reason()).to(Status.FAILED, e.reason(), at, historyLimit);
      } else if (event instanceof StopRequested) {
        return to(Status.STOPPING, "stop requested", at, historyLimit);
      } else if (event instanceof Stopped e) {
        return (containerId == null ? released() : this).withReason(null).to(Status.STOPPED, e.reason(), at, historyLimit);
      } else if (event instanceof StartRequested) {
        return containerId == null
            ? released().withReason(null).to(Status.REQUESTED, "start requested: finding a node", at, historyLimit)
            : withReason(null).to(Status.REQUESTED, "start requested: reserving its place on node ", node, false, at, historyLimit);
      } else if (event instanceof DeleteRequested) {
        return removing(Removal.DELETE).to(Status.STOPPING, "delete requested", at, historyLimit);
      } else if (event instanceof RelocationRequested e) {
        return removing(Removal.RELOCATE).to(Status.STOPPING, "node " + e.nodeId() + " is draining: moving", at, historyLimit);
      } else if (event instanceof Relocated) {
        return released().removing(Removal.NONE).to(Status.REQUESTED, "removed from the draining node: finding another", at, historyLimit);
      } else if (event instanceof LostWithNode e) {
        return released().removing(Removal.NONE).withReason("node " + e.nodeId() + " was lost")
            .to(Status.LOST, "node " + e.nodeId() + " was lost with the container", at, historyLimit);
      } else if (event instanceof Rescheduled e) {
        return withReason(null).to(Status.REQUESTED, "restart policy " + e.policy() + ": finding another node", at, historyLimit);
      } else if (event instanceof Deleted) {
        return released().to(Status.DELETED, deletedMessage(this), at, historyLimit);
      }
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    public static State empty(String id) {
      return new State(id, null, null, null, null, List.of(), null, List.of(), null, null, Removal.NONE, 0, List.of());
    }

    boolean exists() {
      return spec != null;
    }

    boolean transitional() {
      return status != null && TRANSITIONAL.contains(status);
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
          history());
    }

    /** The engine volumes of the node holding the container (none before a node holds it). */
    List<String> volumes(Lifecycle lifecycle) {
      if (spec == null || node == null) {
        return List.of();
      }
      return IntStream.range(0, spec.storage().size())
          .filter(i -> spec.storage().get(i).lifecycle() == lifecycle)
          .mapToObj(i -> EnvironmentNames.volumeName(node, id, i))
          .toList();
    }

    List<String> persistentVolumes() {
      return volumes(Lifecycle.PERSISTENT);
    }

    /** The lifecycle as views show it, oldest first. */
    public List<HistoryEntry> history() {
      return steps.stream().map(Step::entry).toList();
    }

    State to(Status next, String message, Instant at, int historyLimit) {
      return to(next, message, null, false, at, historyLimit);
    }

    State to(Status next, String text, String subject, boolean shortSubject, Instant at, int historyLimit) {
      List<Step> longer = new ArrayList<>(steps);
      longer.add(new Step(at.toEpochMilli(), next, text, subject, shortSubject));
      List<Step> kept =
          longer.size() > historyLimit ? longer.subList(longer.size() - historyLimit, longer.size()) : longer;
      return new State(
          id, next, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, removal,
          steps.isEmpty() ? at.toEpochMilli() : createdAtMilli, List.copyOf(kept));
    }

    State withPlacement(String newNode, List<String> newGpus) {
      return new State(
          id, status, spec, recipe, newNode, List.copyOf(newGpus), containerId, ports, reason, null, removal,
          createdAtMilli, steps);
    }

    State withContainer(String newContainerId, List<PublishedPort> newPorts) {
      return new State(
          id, status, spec, recipe, node, gpus, newContainerId, List.copyOf(newPorts), reason, queuePosition,
          removal, createdAtMilli, steps);
    }

    State withReason(String newReason) {
      return new State(
          id, status, spec, recipe, node, gpus, containerId, ports, newReason, queuePosition, removal, createdAtMilli, steps);
    }

    State withQueuePosition(Integer position) {
      return new State(
          id, status, spec, recipe, node, gpus, containerId, ports, reason, position, removal, createdAtMilli, steps);
    }

    State removing(Removal purpose) {
      return new State(
          id, status, spec, recipe, node, gpus, containerId, ports, reason, queuePosition, purpose, createdAtMilli, steps);
    }

    boolean deleting() {
      return removal == Removal.DELETE;
    }

    /** Nothing runs and nothing is reserved any more. */
    State released() {
      return new State(
          id, status, spec, recipe, null, List.of(), null, List.of(), reason, null, removal, createdAtMilli, steps);
    }

    State created(EnvironmentSpec newSpec, ImageRecipe newRecipe) {
      return new State(
          id, status, SharedValues.spec(newSpec), SharedValues.recipe(newRecipe), null, List.of(), null, List.of(), null, null, Removal.NONE, createdAtMilli, steps);
    }
  }

  // ---------------------------------------------------------------- wiring

  /** Tunables from {@code dcloud.environment} (see reference.conf). */
  public record Settings(
      Duration retryInterval, int historyLimit, BackoffSupervisorStrategy journalBackoff) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config config = root.getConfig("dcloud.environment");
      return new Settings(
          config.getDuration("retry-interval"), config.getInt("history-limit"),
          JournalBackoff.fromConfig(root));
    }
  }

  public static void init(
      ActorSystem<?> system,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<Topic.Command<Persisted>> events,
      Settings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Wiring wiring = new Wiring(
        scheduler, updates, events, settings, Clock.systemUTC(),
        (environmentId, tick) -> sharding.entityRefFor(TYPE_KEY, environmentId).tell(tick), new ConcurrentHashMap<>());
    sharding.init(Entity.of(TYPE_KEY, entityContext -> create(entityContext.getEntityId(), wiring)));
  }

  /**
   * {@code retryVia} delivers the entity's retry ticks (to the entity of the given id): through its
   * shard when sharded (see {@link RetryTick}); a test may deliver them to the entity directly.
   */
  public static Behavior<Command> create(
      String environmentId,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<Topic.Command<Persisted>> events,
      Settings settings,
      Clock clock,
      BiConsumer<String, Command> retryVia) {
    return create(environmentId, new Wiring(scheduler, updates, events, settings, clock, retryVia, new ConcurrentHashMap<>()));
  }

  private static Behavior<Command> create(String environmentId, Wiring wiring) {
    return Behaviors.setup(context -> new EnvironmentEntity(environmentId, context, wiring));
  }

  /**
   * What every entity of a process shares, held once rather than field by field in each of
   * (possibly) a hundred thousand live entities. {@code nodes}: node actors found through the
   * receptionist (a thousand entities placed on one node ask the receptionist once), each trusted
   * for one retry interval, so a restarted node is found again by the next retry.
   */
  private record Wiring(
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<Topic.Command<Persisted>> events,
      Settings settings,
      Clock clock,
      BiConsumer<String, Command> retryVia,
      Map<String, FoundNode> nodes) {}

  /** A node actor and when it was found (System.nanoTime). */
  private record FoundNode(ActorRef<NodeProtocol.Command> ref, long foundAt) {}

  private final String environmentId;
  private final ActorContext<Command> context;
  private final Wiring wiring;
  /** Tells this incarnation's retry ticks from those an earlier one (before passivation) scheduled. */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private boolean retryScheduled;

  private EnvironmentEntity(String environmentId, ActorContext<Command> context, Wiring wiring) {
    super(PersistenceId.of(TYPE_KEY.name(), environmentId), wiring.settings().journalBackoff());
    this.environmentId = environmentId;
    this.context = context;
    this.wiring = wiring;
  }

  @Override
  public State emptyState() {
    return NOTHING_YET;
  }

  /**
   * No snapshots: an environment has tens of events, which replay faster than a snapshot loads,
   * and asking the snapshot store is one Cassandra read less for every entity that starts.
   */
  @Override
  public Recovery recovery() {
    return WITHOUT_SNAPSHOTS;
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::converge).build();
  }

  // ---------------------------------------------------------------- commands

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    // A method that dispatches by itself, not a builder: Pekko keeps the handler of every live
    // entity, and a builder case per command and state cost each one about 3 KiB of heap.
    return this::handle;
  }

  private ReplyEffect<Event, State> handle(State state, Command command) {
    if (!state.exists()) {
      return whenAbsent(command);
    }
    if (state.status() == Status.DELETED) {
      return whenDeleted(state, command);
    }
    return whenPresent(state, command);
  }

  private ReplyEffect<Event, State> whenAbsent(Command command) {
    if (command instanceof Create cmd) {
      return onCreate(cmd);
    } else if (command instanceof Get cmd) {
      return notFound(cmd.replyTo());
    } else if (command instanceof Stop cmd) {
      return notFound(cmd.replyTo());
    } else if (command instanceof Start cmd) {
      return notFound(cmd.replyTo());
    } else if (command instanceof Delete cmd) {
      return notFound(cmd.replyTo());
    } else if (command instanceof GetStats cmd) {
      return statsUnavailable(cmd.replyTo(), "no such environment");
    } else if (command instanceof StreamLogs cmd) {
      return logsUnavailable(cmd.replyTo(), "no such environment");
    } else if (command instanceof Placed) {
      return releaseStale();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> whenDeleted(State state, Command command) {
    String deleted = "environment " + environmentId + " was deleted";
    if (command instanceof Create cmd) {
      return conflict(cmd.replyTo(), deleted);
    } else if (command instanceof Get cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof Delete cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof Stop cmd) {
      return conflict(cmd.replyTo(), deleted);
    } else if (command instanceof Start cmd) {
      return conflict(cmd.replyTo(), deleted);
    } else if (command instanceof GetStats cmd) {
      return statsUnavailable(cmd.replyTo(), "the environment was deleted");
    } else if (command instanceof StreamLogs cmd) {
      return logsUnavailable(cmd.replyTo(), "the environment was deleted");
    } else if (command instanceof Placed) {
      return releaseStale();
    } else if (command instanceof ContainerReport report) {
      return onReportAfterDeletion(state, report);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> whenPresent(State state, Command command) {
    if (command instanceof Create cmd) {
      return onCreateAgain(state, cmd);
    } else if (command instanceof Get cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof Stop cmd) {
      return onStop(state, cmd);
    } else if (command instanceof Start cmd) {
      return onStart(state, cmd);
    } else if (command instanceof Delete cmd) {
      return onDelete(state, cmd);
    } else if (command instanceof GetStats cmd) {
      return onGetStats(state, cmd);
    } else if (command instanceof StreamLogs cmd) {
      return onStreamLogs(state, cmd);
    } else if (command instanceof Placed cmd) {
      return onPlaced(state, cmd);
    } else if (command instanceof Queued cmd) {
      return onQueued(state, cmd);
    } else if (command instanceof Refused cmd) {
      return onRefused(state, cmd);
    } else if (command instanceof NodeLost cmd) {
      return onNodeLost(state, cmd);
    } else if (command instanceof Relocate cmd) {
      return onRelocate(state, cmd);
    } else if (command instanceof ContainerReport cmd) {
      return onContainerReport(state, cmd);
    } else if (command instanceof RetryTick tick) {
      return retry(state, tick);
    } else if (command instanceof NodeLookupFailed) {
      // The receptionist did not answer in time: ask again (one lookup per retry interval at most).
      if (state.transitional()) {
        act(state, true);
      }
      return Effect().noReply();
    } else if (command instanceof NodeFound found) {
      return onNodeFound(state, found);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onCreate(Create cmd) {
    return persistAndReply(new Requested(cmd.spec(), cmd.recipe(), now()), cmd.replyTo());
  }

  /** Create is retried by clients: the same spec again is the same environment. */
  private ReplyEffect<Event, State> onCreateAgain(State state, Create cmd) {
    if (state.spec().equals(cmd.spec())) {
      return ok(cmd.replyTo(), state);
    }
    return conflict(cmd.replyTo(), "environment " + environmentId + " already exists with another spec");
  }

  private ReplyEffect<Event, State> onStop(State state, Stop cmd) {
    return switch (state.status()) {
      case REQUESTED, QUEUED -> persistAndReply(new Stopped("stopped before it was placed", now()), cmd.replyTo());
      case PLACED, BUILDING, STARTING, RUNNING, LOST -> persistAndReply(new StopRequested(now()), cmd.replyTo());
      default -> ok(cmd.replyTo(), state);
    };
  }

  private ReplyEffect<Event, State> onStart(State state, Start cmd) {
    return switch (state.status()) {
      case STOPPED, FAILED, LOST -> persistAndReply(new StartRequested(now()), cmd.replyTo());
      case STOPPING -> conflict(cmd.replyTo(), "environment " + environmentId + " is stopping; start it once it has stopped");
      default -> ok(cmd.replyTo(), state);
    };
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete cmd) {
    if (state.deleting()) {
      return ok(cmd.replyTo(), state);
    }
    Event event = state.node() == null ? new Deleted(now()) : new DeleteRequested(now());
    return persistAndReply(event, cmd.replyTo());
  }

  private ReplyEffect<Event, State> onGetStats(State state, GetStats cmd) {
    if (state.containerId() == null || state.status() != Status.RUNNING) {
      return statsUnavailable(cmd.replyTo(), "the environment is " + state.status() + ", not RUNNING");
    }
    sendToNode(state.node(), new NodeProtocol.GetStats(environmentId, state.containerId(), cmd.replyTo()));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onStreamLogs(State state, StreamLogs cmd) {
    if (state.containerId() == null) {
      return logsUnavailable(cmd.replyTo(), "the environment has no container yet (it is " + state.status() + ")");
    }
    sendToNode(
        state.node(),
        new NodeProtocol.StreamLogs(environmentId, state.containerId(), cmd.tail(), cmd.follow(), cmd.replyTo()));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPlaced(State state, Placed cmd) {
    if (state.status() == Status.REQUESTED || state.status() == Status.QUEUED) {
      // The scheduler's reservation is already durable, so the node starts while the place is
      // recorded: after a crash the entity asks again, gets the same place, and the node's repeated
      // deploy finds the container it made.
      PlacedOnNode placed = new PlacedOnNode(cmd.nodeId(), cmd.gpuUuids(), now());
      sendToNode(cmd.nodeId(), new NodeProtocol.Deploy(environmentId, state.spec(), state.recipe(), cmd.gpuUuids()));
      return Effect().persist(placed).thenRun(next -> announce(next, List.of(placed))).thenNoReply();
    }
    boolean holdsThatPlace = HOLDING_A_PLACE.contains(state.status()) && cmd.nodeId().equals(state.node());
    if (!holdsThatPlace) {
      // Stopped, failed or deleted while the scheduler was deciding: give the place back.
      wiring.scheduler().tell(new Scheduler.Release(environmentId));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onQueued(State state, Queued cmd) {
    boolean waiting = state.status() == Status.REQUESTED || state.status() == Status.QUEUED;
    if (!waiting || Integer.valueOf(cmd.position()).equals(state.queuePosition())) {
      return Effect().noReply();
    }
    return persist(new QueuedForCapacity(cmd.position(), cmd.reason(), now()));
  }

  private ReplyEffect<Event, State> onRefused(State state, Refused cmd) {
    if (state.status() == Status.REQUESTED || state.status() == Status.QUEUED) {
      return persist(new PlacementRefused(cmd.reason(), now()));
    }
    return Effect().noReply();
  }

  /**
   * The node is gone, and the container with it. Unless the user had stopped it or the restart
   * policy is {@code never}, the environment asks for a new place at once.
   */
  private ReplyEffect<Event, State> onNodeLost(State state, NodeLost lost) {
    wiring.scheduler().tell(new Scheduler.ConfirmLoss(environmentId));
    if (!lost.nodeId().equals(state.node()) || state.status() == Status.LOST) {
      return Effect().noReply();
    }
    Instant at = now();
    if (state.deleting()) {
      return persist(new Deleted(at));
    }
    EnvironmentSpec.RestartPolicy policy = state.spec().restartPolicy();
    boolean restart = policy != EnvironmentSpec.RestartPolicy.NEVER && state.status() != Status.STOPPED;
    List<Event> events = restart
        ? List.of(new LostWithNode(lost.nodeId(), at), new Rescheduled(policy, at))
        : List.of(new LostWithNode(lost.nodeId(), at));
    context.getLog().warn("Environment {} lost with node {}{}", environmentId, lost.nodeId(), restart ? ": re-placing" : "");
    return Effect().persist(events).thenRun(after -> afterPersistAll(after, events)).thenNoReply();
  }

  private ReplyEffect<Event, State> onRelocate(State state, Relocate relocate) {
    if (!relocate.nodeId().equals(state.node()) || state.status() == Status.STOPPING) {
      return Effect().noReply();
    }
    return persist(new RelocationRequested(relocate.nodeId(), now()));
  }

  private ReplyEffect<Event, State> onContainerReport(State state, ContainerReport report) {
    if (!report.nodeId().equals(state.node())) {
      context.getLog().info(
          "Environment {} ignores a {} report from node {}: it belongs to node {}",
          environmentId, report.phase(), report.nodeId(), state.node());
      return Effect().noReply();
    }
    Event event = eventFor(state, report);
    return event == null ? Effect().noReply() : persist(event);
  }

  /** The event a node's report means in the current state, or null when it changes nothing. */
  private Event eventFor(State state, ContainerReport report) {
    Instant at = now();
    Status status = state.status();
    boolean stopping = status == Status.STOPPING;
    return switch (report.phase()) {
      case BUILDING -> status == Status.PLACED ? new ImageBuilding(at) : null;
      case STARTING -> status == Status.PLACED || status == Status.BUILDING ? new ContainerStarting(at) : null;
      case RUNNING -> stopping || (status == Status.RUNNING && report.containerId().equals(state.containerId()))
          ? null
          : new ContainerRunning(report.containerId(), report.ports(), at);
      case EXITED -> {
        if (stopping && state.removal() == Removal.NONE) {
          yield new Stopped("stopped on request", at);
        }
        boolean wasUp = status == Status.RUNNING || status == Status.STARTING;
        yield wasUp ? new ContainerExited(report.containerId(), report.exitCode(), report.oomKilled(), exitReason(state, report), at) : null;
      }
      case REMOVED -> switch (state.removal()) {
        case DELETE -> new Deleted(at);
        case RELOCATE -> new Relocated(at);
        case NONE -> new DeploymentFailed("the container was removed outside DCloud", at);
      };
      case FAILED -> stopping ? new Stopped(report.message(), at) : new DeploymentFailed(report.message(), at);
      case MISSING -> {
        if (state.deleting()) {
          yield new Deleted(at);
        }
        if (state.removal() == Removal.RELOCATE) {
          yield new Relocated(at);
        }
        // Without a container yet the node simply has not deployed it; the retry will.
        yield state.containerId() == null
            ? null
            : new DeploymentFailed(
                "the container disappeared from node " + report.nodeId() + " while DCloud was not watching", at);
      }
    };
  }

  private static String exitReason(State state, ContainerReport report) {
    if (report.oomKilled()) {
      return "killed: out of memory (limit " + Quantities.describeBytes(state.spec().resources().memoryBytes()) + ")";
    }
    return "exited with code " + report.exitCode();
  }

  private ReplyEffect<Event, State> onReportAfterDeletion(State state, ContainerReport report) {
    if (report.phase() == Phase.RUNNING || report.phase() == Phase.EXITED) {
      // A node still runs a container of a deleted environment (e.g. it was away when it was deleted).
      sendToNode(report.nodeId(), new NodeProtocol.RemoveContainer(environmentId, report.containerId(), state.volumes(Lifecycle.TEMPORARY)));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> retry(State state, RetryTick tick) {
    if (tick.incarnation() != incarnation) {
      // Scheduled before a passivation: delivering it has woken this incarnation, which converged.
      return Effect().noReply();
    }
    retryScheduled = false;
    if (state.exists() && state.transitional()) {
      act(state, true);
    }
    return Effect().noReply();
  }

  private void scheduleRetry() {
    retryScheduled = true;
    RetryTick tick = new RetryTick(incarnation);
    context.getSystem().scheduler().scheduleOnce(
        wiring.settings().retryInterval(), () -> wiring.retryVia().accept(environmentId, tick), context.getExecutionContext());
  }

  private ReplyEffect<Event, State> onNodeFound(State state, NodeFound found) {
    var refs = found.listing().getServiceInstances(NodeProtocol.serviceKey(found.nodeId()));
    if (refs.isEmpty()) {
      context.getLog().info("Environment {}: node {} is not reachable now; will retry", environmentId, found.nodeId());
      answerUnreachable(found);
      return Effect().noReply();
    }
    ActorRef<NodeProtocol.Command> node = refs.iterator().next();
    wiring.nodes().put(found.nodeId(), new FoundNode(node, System.nanoTime()));
    node.tell(found.pending());
    return Effect().noReply();
  }

  private void answerUnreachable(NodeFound found) {
    String reason = "node " + found.nodeId() + " is not reachable";
    if (found.pending() instanceof NodeProtocol.GetStats stats) {
      stats.replyTo().tell(new NodeProtocol.StatsUnavailable(reason));
    } else if (found.pending() instanceof NodeProtocol.StreamLogs logs) {
      logs.replyTo().tell(new NodeProtocol.LogsUnavailable(reason));
    }
  }

  // ---------------------------------------------------------------- converging

  private ReplyEffect<Event, State> persist(Event event) {
    return Effect().persist(event).thenRun(state -> afterPersist(state, event)).thenNoReply();
  }

  private ReplyEffect<Event, State> persistAndReply(Event event, ActorRef<Reply> replyTo) {
    return Effect().persist(event).thenRun(state -> afterPersist(state, event))
        .thenReply(replyTo, next -> new Ok(next.view()));
  }

  private void afterPersist(State state, Event event) {
    afterPersistAll(state, List.of(event));
  }

  /** Publishes what was persisted (for read sides and live streams), then does what the new state needs. */
  private void afterPersistAll(State state, List<Event> persisted) {
    announce(state, persisted);
    act(state, false);
  }

  /** Publishes what was persisted: the event for read sides, the status change for live streams. */
  private void announce(State state, List<Event> persisted) {
    long first = lastSequenceNumber(context) - persisted.size() + 1;
    for (int i = 0; i < persisted.size(); i++) {
      Event event = persisted.get(i);
      wiring.events().tell(Topic.publish(new Persisted(environmentId, first + i, event)));
      if (event instanceof Relocated) {
        // The reservation is still on the draining node: give it back before asking for a new place.
        wiring.scheduler().tell(new Scheduler.Release(environmentId));
      }
    }
    List<State.Step> steps = state.steps();
    for (State.Step step : steps.subList(Math.max(0, steps.size() - persisted.size()), steps.size())) {
      String message = step.message();
      wiring.updates().tell(EnvironmentUpdate.publish(new EnvironmentUpdate(
          environmentId, EnvironmentUpdate.Kind.STATUS, step.status().name(), message, step.at())));
      context.getLog().info("Environment {} is {}: {}", environmentId, step.status(), message);
    }
  }

  private void converge(State state) {
    if (state.exists()) {
      act(state, true);
    }
  }

  /**
   * Sends what the state still needs. {@code retrying} also re-asks the scheduler about a queued
   * request (after an event the scheduler has just answered, so asking again would only echo).
   */
  private void act(State state, boolean retrying) {
    switch (state.status()) {
      case REQUESTED -> wiring.scheduler().tell(new Scheduler.Place(placementRequest(state)));
      case QUEUED -> {
        if (retrying) {
          wiring.scheduler().tell(new Scheduler.Place(placementRequest(state)));
        }
      }
      case PLACED -> sendToNode(state.node(), deploy(state));
      // The node reported these itself: it is at work, so only a retry reminds it.
      case BUILDING -> {
        if (retrying) {
          sendToNode(state.node(), deploy(state));
        }
      }
      case STARTING -> {
        if (state.containerId() != null) {
          sendToNode(state.node(), new NodeProtocol.StartContainer(environmentId, state.containerId()));
        } else if (retrying) {
          sendToNode(state.node(), deploy(state));
        }
      }
      case STOPPING -> sendToNode(
          state.node(),
          state.removal() != Removal.NONE
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
    if (state.transitional() && !retryScheduled) {
      scheduleRetry();
    }
  }

  /** A stopped container is restarted where it is (its files are there), while that node lives. */
  private PlacementRequest placementRequest(State state) {
    String pinned = state.containerId() == null ? null : state.node();
    return new PlacementRequest(environmentId, state.spec().resources(), state.spec().constraints(), pinned);
  }

  private NodeProtocol.Deploy deploy(State state) {
    return new NodeProtocol.Deploy(environmentId, state.spec(), state.recipe(), state.gpus());
  }

  private void sendToNode(String nodeId, NodeProtocol.Command command) {
    FoundNode known = wiring.nodes().get(nodeId);
    if (known != null && System.nanoTime() - known.foundAt() < wiring.settings().retryInterval().toNanos()) {
      known.ref().tell(command);
      return;
    }
    context.pipeToSelf(
        Asks.completedInline(org.apache.pekko.actor.typed.javadsl.AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
            context.getSystem().receptionist(),
            replyTo -> Receptionist.find(NodeProtocol.serviceKey(nodeId), replyTo),
            wiring.settings().retryInterval(),
            context.getSystem().scheduler())),
        (listing, failure) -> failure == null ? new NodeFound(nodeId, listing, command) : new NodeLookupFailed());
  }

  private ReplyEffect<Event, State> releaseStale() {
    wiring.scheduler().tell(new Scheduler.Release(environmentId));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> ok(ActorRef<Reply> replyTo, State state) {
    return Effect().reply(replyTo, new Ok(state.view()));
  }

  private ReplyEffect<Event, State> notFound(ActorRef<Reply> replyTo) {
    return Effect().reply(replyTo, new NotFound(environmentId));
  }

  private ReplyEffect<Event, State> conflict(ActorRef<Reply> replyTo, String reason) {
    return Effect().reply(replyTo, new Conflict(reason));
  }

  private ReplyEffect<Event, State> statsUnavailable(ActorRef<NodeProtocol.StatsReply> replyTo, String reason) {
    replyTo.tell(new NodeProtocol.StatsUnavailable(reason));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> logsUnavailable(ActorRef<NodeProtocol.LogsReply> replyTo, String reason) {
    replyTo.tell(new NodeProtocol.LogsUnavailable(reason));
    return Effect().noReply();
  }

  private Instant now() {
    return wiring.clock().instant();
  }

  // ---------------------------------------------------------------- events

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        (state == NOTHING_YET ? State.empty(environmentId) : state).apply(event, wiring.settings().historyLimit());
  }

  private static String deletedMessage(State state) {
    List<String> kept = state.persistentVolumes();
    return kept.isEmpty() ? "deleted" : "deleted; persistent volumes kept: " + String.join(", ", kept);
  }

  private static String shortId(String containerId) {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }
}
