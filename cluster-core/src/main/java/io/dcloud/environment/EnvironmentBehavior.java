package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Command;
import io.dcloud.environment.EnvironmentEntity.Conflict;
import io.dcloud.environment.EnvironmentEntity.Create;
import io.dcloud.environment.EnvironmentEntity.Delete;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.FromNode;
import io.dcloud.environment.EnvironmentEntity.FromScheduler;
import io.dcloud.environment.EnvironmentEntity.Get;
import io.dcloud.environment.EnvironmentEntity.NotFound;
import io.dcloud.environment.EnvironmentEntity.Ok;
import io.dcloud.environment.EnvironmentEntity.Reply;
import io.dcloud.environment.EnvironmentEntity.Resize;
import io.dcloud.environment.EnvironmentEntity.ResizeWeighed;
import io.dcloud.environment.EnvironmentEntity.Restart;
import io.dcloud.environment.EnvironmentEntity.RestartDue;
import io.dcloud.environment.EnvironmentEntity.Requested;
import io.dcloud.environment.EnvironmentEntity.RetryTick;
import io.dcloud.environment.EnvironmentEntity.Share;
import io.dcloud.environment.EnvironmentEntity.SharedWith;
import io.dcloud.environment.EnvironmentEntity.Start;
import io.dcloud.environment.EnvironmentEntity.StartRequested;
import io.dcloud.environment.EnvironmentEntity.Stop;
import io.dcloud.environment.EnvironmentEntity.TooLate;
import io.dcloud.environment.EnvironmentSharding.Wiring;
import io.dcloud.journal.NewEntityJournal;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The behavior of one environment entity (its protocol and events are {@link EnvironmentEntity}):
 * it answers users, records what the scheduler and its node say, and converges.
 */
final class EnvironmentBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<EnvironmentEntity.Command, EnvironmentEntity.Event, EnvironmentState> {

  /**
   * The empty state Pekko keeps for each live entity: one shared instance, without an id; the
   * first event folds into the entity's own (see {@link #eventHandler()}).
   */
  private static final EnvironmentState NOTHING_YET = EnvironmentState.empty(null);

  /** Shared by every entity (see {@link #recovery()}). */
  private static final Recovery WITHOUT_SNAPSHOTS =
      Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());

  /** Creates refused for arriving after their requester stopped waiting (each would have appeared behind a 503). */
  private static final Counter LATE_CREATES = Counter.builder("dcloud.environment.creates.late")
      .description("Creates that reached a new environment after their requester stopped waiting, refused (nothing created)")
      .register(Metrics.globalRegistry);

  /** Exited containers started again by their restart policy (each restart once, on the node that wrote it). */
  private static final Counter RESTARTS = Counter.builder("dcloud.environment.restarts")
      .description("Environments whose container exited, started again by their restart policy")
      .register(Metrics.globalRegistry);

  private final String environmentId;
  private final ActorContext<Command> context;
  private final Wiring wiring;
  /** Started by a Create under a new id: recovers through {@link NewEntityJournal} (nothing to read). */
  private final boolean newId;
  /** What follows each write and each recovery; also this entity's signal handler. */
  private final ConvergenceLoop loop;
  /** The resize the scheduler is weighing and who waits for its outcome; null when no one waits. */
  private ResizeWeighing.Asker resizeAsker;

  EnvironmentBehavior(String environmentId, ActorContext<Command> context, Wiring wiring, boolean newId) {
    super(PersistenceId.of(EnvironmentEntity.TYPE_KEY.name(), environmentId), wiring.settings().journalBackoff());
    this.environmentId = environmentId;
    this.context = context;
    this.wiring = wiring;
    this.newId = newId;
    this.loop = new ConvergenceLoop(this);
  }

  String environmentId() {
    return environmentId;
  }

  ActorContext<Command> context() {
    return context;
  }

  Wiring wiring() {
    return wiring;
  }

  boolean newId() {
    return newId;
  }

  ConvergenceLoop loop() {
    return loop;
  }

  /** See {@link #resizeAsker}. */
  void resizeAsker(ResizeWeighing.Asker asker) {
    resizeAsker = asker;
  }

  /** Who waits for the outcome of {@code asked}, answered once; null when no one does (gone with an earlier incarnation). */
  ActorRef<Reply> takeResizeAsker(EnvironmentEntity.ResizeAsked asked) {
    if (resizeAsker == null || !resizeAsker.asked().equals(asked)) {
      return null;
    }
    ActorRef<Reply> replyTo = resizeAsker.replyTo();
    resizeAsker = null;
    return replyTo;
  }

  /** Pekko's effects, for the handlers kept apart ({@link SchedulerAnswers}). */
  EffectFactories<Event, EnvironmentState> effects() {
    return Effect();
  }

  @Override
  public String journalPluginId() {
    return newId ? NewEntityJournal.PLUGIN_ID : "";
  }

  @Override
  public EnvironmentState emptyState() {
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

  /**
   * The convergence loop, not the builder's handler: Pekko keeps the signal handler of every live entity, and
   * the builder's three cases (a partial function, a lambda and an {@code orElse} each) cost about
   * 200 bytes an entity.
   */
  @Override
  public SignalHandler<EnvironmentState> signalHandler() {
    return new SignalHandler<>(loop);
  }

  @Override
  public EventHandler<EnvironmentState, Event> eventHandler() {
    return (state, event) ->
        (state == NOTHING_YET ? EnvironmentState.empty(environmentId) : state).apply(event, wiring.settings().historyLimit());
  }

  // ---------------------------------------------------------------- commands

  @Override
  public CommandHandlerWithReply<Command, Event, EnvironmentState> commandHandler() {
    // A method that dispatches by itself, not a builder: Pekko keeps the handler of every live
    // entity, and a builder case per command and state cost each one about 3 KiB of heap.
    return this::handle;
  }

  private ReplyEffect<Event, EnvironmentState> handle(EnvironmentState state, Command command) {
    if (command instanceof EnvironmentEntity.Passivate) {
      return Effect().stop().thenNoReply();
    }
    if (command instanceof EnvironmentEntity.ResumeAfterRestart || command instanceof EnvironmentEntity.Wake) {
      return Effect().noReply();
    }
    if (NodeQueries.isQuery(command)) {
      NodeQueries.answer(wiring, environmentId, state, command);
      return Effect().noReply();
    }
    if (!state.exists()) {
      return whenAbsent(command);
    }
    if (command instanceof ResizeWeighed weighed) {
      return ResizeWeighing.weighed(this, state, weighed);
    }
    if (state.status() == EnvironmentStatus.DELETED) {
      return whenDeleted(state, command);
    }
    return whenPresent(state, command);
  }

  private ReplyEffect<Event, EnvironmentState> whenAbsent(Command command) {
    if (command instanceof Create cmd) {
      Instant now = now();
      if (cmd.notAfter() != null && now.isAfter(cmd.notAfter())) {
        long late = Duration.between(cmd.notAfter(), now).toMillis();
        context.getLog().info("Environment {}: its create arrived {} ms after its requester stopped waiting; not created", environmentId, late);
        LATE_CREATES.increment();
        return Effect().reply(cmd.replyTo(), new TooLate(
            "the create of " + environmentId + " reached it " + late + " ms after its requester stopped waiting; nothing was created"));
      }
      return persistAndReply(new Requested(cmd.spec(), cmd.recipe(), now, cmd.owner(), cmd.address()), cmd.replyTo());
    } else if (command instanceof FromScheduler from && from.answer() instanceof PlacementAnswer.Granted) {
      return release();
    }
    return command instanceof EnvironmentEntity.UserCommand user
        ? Effect().reply(user.replyTo(), new NotFound(environmentId)) : Effect().noReply();
  }

  private ReplyEffect<Event, EnvironmentState> whenDeleted(EnvironmentState state, Command command) {
    String deleted = "environment " + environmentId + " was deleted";
    if (command instanceof Get cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof Delete cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof FromScheduler from && from.answer() instanceof PlacementAnswer.Granted) {
      return release();
    } else if (command instanceof FromNode from) {
      return onReportAfterDeletion(state, from.report());
    }
    return command instanceof EnvironmentEntity.UserCommand user
        ? Effect().reply(user.replyTo(), new Conflict(deleted)) : Effect().noReply();
  }

  private ReplyEffect<Event, EnvironmentState> whenPresent(EnvironmentState state, Command command) {
    if (command instanceof Create cmd) {
      return state.spec().sameRequestAs(cmd.spec()) && java.util.Objects.equals(state.owner(), cmd.owner())
          // Create is retried by clients: the same spec again is the same environment.
          ? ok(cmd.replyTo(), state)
          : conflict(cmd.replyTo(), "environment " + environmentId + " already exists with another spec");
    } else if (command instanceof Get cmd) {
      return ok(cmd.replyTo(), state);
    } else if (command instanceof Stop cmd) {
      return persistOrAnswer(Transitions.stop(state, now(), cmd.actor(), cmd.reason(), cmd.address()), state, cmd.replyTo());
    } else if (command instanceof Start cmd) {
      return state.status() == EnvironmentStatus.STOPPING
          ? conflict(cmd.replyTo(), "environment " + environmentId + " is stopping; start it once it has stopped")
          : persistOrAnswer(Transitions.start(state, now(), cmd.actor(), cmd.address()), state, cmd.replyTo());
    } else if (command instanceof Restart cmd) {
      return state.deleting()
          ? conflict(cmd.replyTo(), "environment " + environmentId + " is being deleted")
          : persistOrAnswer(Transitions.restart(state, now(), cmd.actor(), cmd.address()), state, cmd.replyTo());
    } else if (command instanceof Resize cmd) {
      return ResizeWeighing.resize(this, state, cmd);
    } else if (command instanceof Delete cmd) {
      return persistOrAnswer(Transitions.delete(state, now(), cmd.actor(), cmd.address()), state, cmd.replyTo());
    } else if (command instanceof Share cmd) {
      return share(state, cmd);
    } else if (command instanceof FromScheduler from) {
      return SchedulerAnswers.on(this, state, from.answer());
    } else if (command instanceof FromNode from) {
      return onReport(state, from.report());
    } else if (command instanceof RetryTick tick) {
      loop.retry(state, tick);
    } else if (command instanceof RestartDue due) {
      return restart(state, due);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, EnvironmentState> restart(EnvironmentState state, RestartDue due) {
    StartRequested restart = Transitions.restartDue(state, due.dueAtMilli(), now());
    if (restart == null) {
      return Effect().noReply();
    }
    // Its new status says so at INFO, with the restart's number and policy; counted once written.
    return Effect().persist(restart).thenRun(after -> {
      RESTARTS.increment();
      loop.afterPersist(after, List.of(restart));
    }).thenNoReply();
  }

  /** In any status: sharing changes who sees it, not what runs, so nothing is converged after it. */
  private ReplyEffect<Event, EnvironmentState> share(EnvironmentState state, Share cmd) {
    List<String> groups = cmd.groups().stream().distinct().sorted().toList();
    if (groups.equals(state.sharedWith())) {
      return ok(cmd.replyTo(), state);
    }
    SharedWith shared = new SharedWith(groups, cmd.actor(), now(), cmd.address());
    return Effect().persist(shared).thenRun(next -> loop.announce(next, List.of(shared)))
        .thenReply(cmd.replyTo(), next -> new Ok(next.view()));
  }

  private ReplyEffect<Event, EnvironmentState> onReport(EnvironmentState state, ContainerReport report) {
    if (!report.nodeId().equals(state.node())) {
      context.getLog().info(
          "Environment {} ignores a {} report from node {}: it belongs to node {}",
          environmentId, report.phase(), report.nodeId(), state.node());
      return Effect().noReply();
    }
    List<Event> events = Transitions.report(state, report, now(), wiring.settings().restartBackoff());
    return events.isEmpty() ? Effect().noReply() : persist(events);
  }

  private ReplyEffect<Event, EnvironmentState> onReportAfterDeletion(EnvironmentState state, ContainerReport report) {
    if (report.phase() == ContainerPhase.RUNNING || report.phase() == ContainerPhase.EXITED) {
      // A node still runs a container of a deleted environment (e.g. it was away when it was deleted).
      Convergence.toNode(wiring, report.nodeId(), new NodeProtocol.RemoveContainer(
          environmentId, report.containerId(), state.volumes(EnvironmentSpec.Lifecycle.TEMPORARY)));
    }
    return Effect().noReply();
  }

  // ---------------------------------------------------------------- effects

  ReplyEffect<Event, EnvironmentState> persist(Event event) {
    return persist(List.of(event));
  }

  /** Several events in one journal write. */
  private ReplyEffect<Event, EnvironmentState> persist(List<Event> events) {
    return Effect().persist(events).thenRun(state -> loop.afterPersist(state, events)).thenNoReply();
  }

  private ReplyEffect<Event, EnvironmentState> persistAndReply(Event event, ActorRef<Reply> replyTo) {
    return Effect().persist(event).thenRun(state -> loop.afterPersist(state, List.of(event)))
        .thenReply(replyTo, next -> new Ok(next.view()));
  }

  /** Persists the event and answers with the new state; with no event, answers with the state as it is. */
  private ReplyEffect<Event, EnvironmentState> persistOrAnswer(Event event, EnvironmentState state, ActorRef<Reply> replyTo) {
    return event == null ? ok(replyTo, state) : persistAndReply(event, replyTo);
  }

  ReplyEffect<Event, EnvironmentState> release() {
    wiring.scheduler().tell(new Scheduler.Release(environmentId));
    return Effect().noReply();
  }

  ReplyEffect<Event, EnvironmentState> ok(ActorRef<Reply> replyTo, EnvironmentState state) {
    return Effect().reply(replyTo, new Ok(state.view()));
  }

  ReplyEffect<Event, EnvironmentState> conflict(ActorRef<Reply> replyTo, String reason) {
    return Effect().reply(replyTo, new Conflict(reason));
  }

  Instant now() {
    return wiring.clock().instant();
  }
}
