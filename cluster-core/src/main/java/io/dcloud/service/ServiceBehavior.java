package io.dcloud.service;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.service.ServiceEntity.Command;
import io.dcloud.service.ServiceEntity.Event;
import io.dcloud.service.ServiceEntity.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behavior of one service entity (its protocol and events are {@link ServiceEntity}): it answers
 * users, and at each look asks every replica's environment how it is, then records and does what
 * {@link Reconciliation} decides. What the replicas last said is kept in memory only: it is asked
 * again at the next look, after a restart too.
 */
final class ServiceBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, ServiceState> {
  private static final Logger log = LoggerFactory.getLogger(ServiceBehavior.class);

  private final String name;
  private final ActorContext<Command> context;
  private final ServiceEntity.Wiring wiring;
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private final ReplicaSightings sightings = new ReplicaSightings();
  private final ReplicaEnvironments replicas;
  private boolean lookScheduled;
  private final ServiceGauges gauges;
  /** Made afresh when the autoscaling changes: the load it gathered was measured against other bounds. */
  private Autoscaler autoscaler;

  ServiceBehavior(String name, ActorContext<Command> context, ServiceEntity.Wiring wiring) {
    super(PersistenceId.of(ServiceEntity.TYPE_KEY.name(), name), wiring.settings().journalBackoff());
    this.name = name;
    this.context = context;
    this.wiring = wiring;
    this.replicas = new ReplicaEnvironments(name, wiring.environments(),
        context.messageAdapter(EnvironmentEntity.Reply.class, ServiceEntity.ReplicaAnswer::new), sightings);
    this.gauges = new ServiceGauges(name);
    this.autoscaler = new Autoscaler(name, wiring.settings().autoscalingLookBack(), now(), gauges);
  }

  @Override
  public ServiceState emptyState() {
    return ServiceState.NONE;
  }

  @Override
  public EventHandler<ServiceState, Event> eventHandler() {
    return ServiceState::apply;
  }

  @Override
  public SignalHandler<ServiceState> signalHandler() {
    // The first look comes at once, through the mailbox: only a command may persist what it decides.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> scheduleLook(Duration.ZERO))
        .onSignal(PostStop.instance(), state -> gauges.remove())
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, ServiceState> commandHandler() {
    return this::handle;
  }

  private ReplyEffect<Event, ServiceState> handle(ServiceState state, Command command) {
    if (command instanceof ServiceEntity.Create cmd) {
      return create(state, cmd);
    } else if (command instanceof ServiceEntity.Get cmd) {
      return Effect().reply(cmd.replyTo(), answer(state));
    } else if (command instanceof ServiceEntity.GetDefinition cmd) {
      return Effect().reply(cmd.replyTo(), state.exists() && !state.deleting()
          ? new ServiceEntity.Defined(state.definition(), state.owner(), state.version(), state.desired())
          : new ServiceEntity.NotFound(name));
    } else if (command instanceof ServiceEntity.Scale cmd) {
      return scale(state, cmd);
    } else if (command instanceof ServiceEntity.Delete cmd) {
      return delete(state, cmd);
    } else if (command instanceof ServiceEntity.Reconcile tick) {
      if (tick.incarnation() != incarnation) {
        return Effect().noReply();
      }
      lookScheduled = false;
      if (!state.exists()) {
        return Effect().noReply();
      }
      look(state);
      List<Event> scaling = autoscaler.scaling(state, now());
      List<Event> events = scaling.isEmpty() ? Reconciliation.adjust(state, sightings.ready(), now())
          : Reconciliation.after(state, scaling, sightings.ready(), now());
      return events.isEmpty() ? Effect().noReply() : persistAndTell(events);
    } else if (command instanceof ServiceEntity.ReplicaAnswer answer) {
      return onReplicaAnswer(state, answer.reply());
    } else if (command instanceof ServiceEntity.Update cmd) {
      return update(state, cmd);
    } else if (command instanceof ServiceEntity.SetBatching cmd) {
      return setBatching(state, cmd);
    } else if (command instanceof ServiceEntity.SetAutoscaling cmd) {
      return setAutoscaling(state, cmd);
    } else if (command instanceof ServiceEntity.ReportLoad report) {
      return onLoad(state, report);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, ServiceState> create(ServiceState state, ServiceEntity.Create cmd) {
    if (state.exists()) {
      return Effect().reply(cmd.replyTo(), new ServiceEntity.Conflict(
          state.deleting() ? "service " + name + " is being deleted" : "a service named " + name + " already exists"));
    }
    Instant at = now();
    ServiceEntity.Created created = new ServiceEntity.Created(cmd.definition(), cmd.owner(), UUID.randomUUID().toString(), at);
    List<Event> events = Reconciliation.after(state, List.of(created), sightings.ready(), at);
    return Effect().persist(events)
        .thenRun(next -> {
          log.info("Service {} created by {}: {} replicas of {} on port {}", name, cmd.owner(), cmd.definition().replicas(),
              cmd.definition().recipe().tag(), cmd.definition().port());
          wiring.index().tell(new ServiceIndex.Register(name, cmd.owner()));
          replicas.tell(next, events);
          scheduleLook(wiring.settings().reconcileInterval());
        })
        .thenReply(cmd.replyTo(), this::answer);
  }

  private ReplyEffect<Event, ServiceState> scale(ServiceState state, ServiceEntity.Scale cmd) {
    if (unchangeable(state) != null) {
      return Effect().reply(cmd.replyTo(), unchangeable(state));
    } else if (state.definition().autoscaling() != null) {
      return Effect().reply(cmd.replyTo(), new ServiceEntity.Conflict(scalesItself(state.definition().autoscaling())));
    } else if (cmd.replicas() == state.desired()) {
      return Effect().reply(cmd.replyTo(), answer(state));
    }
    Instant at = now();
    ServiceEntity.Scaled scaled = new ServiceEntity.Scaled(cmd.replicas(), cmd.actor(), at);
    List<Event> events = Reconciliation.after(state, List.of(scaled), sightings.ready(), at);
    return Effect().persist(events)
        .thenRun(next -> {
          log.info("Service {} scaled from {} to {} replicas by {}", name, state.desired(), cmd.replicas(), cmd.actor());
          replicas.tell(next, events);
        })
        .thenReply(cmd.replyTo(), this::answer);
  }

  /**
   * A new version, unless nothing but batching (changed only by SetBatching), the surge and the
   * replica count differ ({@link #liveChange}); one that comes while the service rolls supersedes the
   * version it rolled to: replicas of both are replaced.
   */
  private ReplyEffect<Event, ServiceState> update(ServiceState state, ServiceEntity.Update cmd) {
    ServiceDefinition wanted = cmd.definition();
    if (unchangeable(state) != null) {
      return Effect().reply(cmd.replyTo(), unchangeable(state));
    } else if (!name.equals(wanted.name()) || wanted.kind() != state.definition().kind()) {
      return Effect().reply(cmd.replyTo(), new ServiceEntity.Conflict("service " + name + " is a "
          + state.definition().kind().name().toLowerCase(Locale.ROOT) + ": it cannot become "
          + wanted.name() + " of kind " + wanted.kind().name().toLowerCase(Locale.ROOT)));
    } else if (!cmd.restart() && wanted.sameVersionAs(state.definition())) {
      return liveChange(state, wanted, cmd.actor(), cmd.replyTo());
    } else if (Boolean.TRUE.equals(cmd.noRoomForSurge()) && wanted.rollingSurge() > 0 && !state.live().isEmpty()) {
      log.info("Service {}: update by {} refused: its owner's quota has no room for the roll's surge", name, cmd.actor());
      return Effect().reply(cmd.replyTo(), new ServiceEntity.SurgeRefused(state.version()));
    }
    Instant at = now();
    ServiceEntity.Updated updated = new ServiceEntity.Updated(wanted, state.version() + 1, cmd.actor(), at);
    List<Event> events = Reconciliation.after(state, List.of(updated), sightings.ready(), at);
    return Effect().persist(events)
        .thenRun(next -> {
          log.info("Service {} {} to version {} by {}: rolling to {} replicas of {}", name,
              cmd.restart() ? "restarted" : "updated", next.version(), cmd.actor(), next.desired(), wanted.recipe().tag());
          replicas.tell(next, events);
        })
        .thenReply(cmd.replyTo(), this::answer);
  }

  /**
   * A definition that differs from the service's only in what changes live: its surge (how later
   * rolls go, and one under way) and its replica count (a scale). No new version; nothing at all when
   * neither differs.
   */
  private ReplyEffect<Event, ServiceState> liveChange(
      ServiceState state, ServiceDefinition wanted, String actor, ActorRef<ServiceEntity.Reply> replyTo) {
    Instant at = now();
    List<Event> events = new ArrayList<>();
    if (wanted.rollingSurge() != state.definition().rollingSurge()) {
      events.add(new ServiceEntity.SurgeChanged(wanted.rollingSurge(), actor, at));
    }
    if (!Objects.equals(wanted.autoscaling(), state.definition().autoscaling())) {
      events.add(new ServiceEntity.AutoscalingChanged(wanted.autoscaling(), actor, at));
    }
    // A service that scales itself keeps the count it has (within the bounds): a definition read
    // back and applied again says the count of that moment.
    if (wanted.autoscaling() == null && wanted.replicas() != state.desired()) {
      events.add(new ServiceEntity.Scaled(wanted.replicas(), actor, at));
    }
    if (events.isEmpty()) {
      return Effect().reply(replyTo, answer(state));
    }
    List<Event> all = Reconciliation.after(state, events, sightings.ready(), at);
    return Effect().persist(all)
        .thenRun(next -> {
          log.info("Service {}: {} replicas, surge {}, autoscaling {}, set by {} (no new version)", name, next.desired(),
              next.definition().rollingSurge(), next.definition().autoscaling(), actor);
          replicas.tell(next, all);
        })
        .thenReply(replyTo, this::answer);
  }

  /** Batching is the gateways' business: no replica changes, no new version. */
  private ReplyEffect<Event, ServiceState> setBatching(ServiceState state, ServiceEntity.SetBatching cmd) {
    if (unchangeable(state) != null) {
      return Effect().reply(cmd.replyTo(), unchangeable(state));
    } else if (state.definition().kind() != ServiceDefinition.Kind.MODEL) {
      return Effect().reply(cmd.replyTo(), new ServiceEntity.Conflict(
          "service " + name + " is an app: only a model's predictions are batched"));
    } else if (Objects.equals(cmd.batching(), state.definition().batching())) {
      return Effect().reply(cmd.replyTo(), answer(state));
    }
    return Effect().persist(new ServiceEntity.BatchingChanged(cmd.batching(), cmd.actor(), now()))
        .thenRun(next -> log.info("Service {}: batching set to {} by {}", name, cmd.batching(), cmd.actor()))
        .thenReply(cmd.replyTo(), this::answer);
  }

  /** The bounds within which the service scales itself (null: off); no replica changes unless the bounds move it. */
  private ReplyEffect<Event, ServiceState> setAutoscaling(ServiceState state, ServiceEntity.SetAutoscaling cmd) {
    if (unchangeable(state) != null) {
      return Effect().reply(cmd.replyTo(), unchangeable(state));
    } else if (Objects.equals(cmd.autoscaling(), state.definition().autoscaling())) {
      return Effect().reply(cmd.replyTo(), answer(state));
    }
    Instant at = now();
    ServiceEntity.AutoscalingChanged changed = new ServiceEntity.AutoscalingChanged(cmd.autoscaling(), cmd.actor(), at);
    List<Event> events = Reconciliation.after(state, List.of(changed), sightings.ready(), at);
    return Effect().persist(events)
        .thenRun(next -> {
          log.info("Service {}: autoscaling set to {} by {}; {} replicas", name, cmd.autoscaling(), cmd.actor(),
              next.desired());
          autoscaler = new Autoscaler(name, wiring.settings().autoscalingLookBack(), now(), gauges);
          replicas.tell(next, events);
        })
        .thenReply(cmd.replyTo(), this::answer);
  }

  /**
   * A gateway's load, kept for the next look; a service scaled to zero decides at once, as a caller
   * waits for its first replica.
   */
  private ReplyEffect<Event, ServiceState> onLoad(ServiceState state, ServiceEntity.ReportLoad report) {
    if (!state.exists() || state.definition().autoscaling() == null) {
      return Effect().noReply();
    }
    autoscaler.report(report.ongoingRequests(), report.over(), now());
    List<Event> scaling = state.desired() == 0 ? autoscaler.scaling(state, now()) : List.of();
    return scaling.isEmpty() ? Effect().noReply()
        : persistAndTell(Reconciliation.after(state, scaling, sightings.ready(), now()));
  }

  /** Why a change of the service is refused when it is missing or being deleted; null when it may change. */
  private Reply unchangeable(ServiceState state) {
    if (!state.exists()) {
      return new ServiceEntity.NotFound(name);
    }
    return state.deleting() ? new ServiceEntity.Conflict("service " + name + " is being deleted") : null;
  }

  private static String scalesItself(ServiceDefinition.Autoscaling autoscaling) {
    return "the service scales itself between " + autoscaling.minReplicas() + " and " + autoscaling.maxReplicas()
        + " replicas (its autoscaling): change those bounds, or turn autoscaling off, to set its replica count";
  }

  private ReplyEffect<Event, ServiceState> delete(ServiceState state, ServiceEntity.Delete cmd) {
    if (!state.exists()) {
      return Effect().reply(cmd.replyTo(), new ServiceEntity.NotFound(name));
    } else if (state.deleting()) {
      return Effect().reply(cmd.replyTo(), answer(state));
    }
    Instant at = now();
    ServiceEntity.DeleteRequested requested = new ServiceEntity.DeleteRequested(cmd.actor(), at);
    List<Event> events = Reconciliation.after(state, List.of(requested), sightings.ready(), at);
    // One with no replica left is gone at once: its deleter hears of it as being deleted, not as missing.
    Reply deleting = answer(state.apply(requested));
    return Effect().persist(events)
        .thenRun(next -> {
          log.info("Service {} deleted by {}: deleting its {} replicas", name, cmd.actor(), next.replicas().size());
          replicas.tell(next, events);
          afterDeletion(events);
        })
        .thenReply(cmd.replyTo(), next -> next.exists() ? answer(next) : deleting);
  }

  private ReplyEffect<Event, ServiceState> onReplicaAnswer(ServiceState state, EnvironmentEntity.Reply reply) {
    if (reply instanceof EnvironmentEntity.Ok ok) {
      if (state.replica(ok.view().id()) == null) {
        return Effect().noReply();
      }
      sightings.saw(ok.view());
      measure(state);
      List<Event> events = Reconciliation.onView(state, ok.view(), sightings.ready(), now());
      if (events.isEmpty()) {
        ServiceState.Replica replica = state.replica(ok.view().id());
        if (replica.retiring() && ok.view().status() != EnvironmentStatus.STOPPING) {
          replicas.delete(replica.id());
        } else if (!replica.retiring() && ok.view().status() == EnvironmentStatus.STOPPED) {
          // Stopped by hand (its owner, an admin): the service wants it running, as a Deployment
          // wants its pods; scaling down is how a service runs fewer.
          log.info("Service {}: replica {} was stopped; starting it again", name, replica.id());
          replicas.start(replica.id());
        }
        return Effect().noReply();
      }
      return persistAndTell(events);
    } else if (reply instanceof EnvironmentEntity.NotFound missing) {
      ServiceState.Replica replica = state.replica(missing.id());
      if (replica == null) {
        return Effect().noReply();
      } else if (replica.retiring()) {
        return persistAndTell(Reconciliation.gone(state, replica.id(), sightings.ready(), now()));
      } else if (replica.runs() != state.version()) {
        // Never made, and of an earlier version: a replica of the current one takes its place.
        return persistAndTell(Reconciliation.gone(state, replica.id(), sightings.ready(), now()));
      }
      // Recorded but never created (the entity stopped in between): create it now, under the same id.
      replicas.create(state, replica);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, ServiceState> persistAndTell(List<Event> events) {
    return Effect().persist(events).thenRun(next -> {
      replicas.tell(next, events);
      afterDeletion(events);
    }).thenNoReply();
  }

  /**
   * Asks every replica how it is (the answers come as {@link ServiceEntity.ReplicaAnswer}) and
   * re-registers the service (an index that missed it lists it again); then the next look.
   */
  private void look(ServiceState state) {
    wiring.index().tell(new ServiceIndex.Register(name, state.owner()));
    state.replicas().forEach(r -> replicas.ask(r.id()));
    scheduleLook(wiring.settings().reconcileInterval());
  }

  /** One chain of looks per incarnation: a look already due is not scheduled twice. */
  private void scheduleLook(Duration after) {
    if (lookScheduled) {
      return;
    }
    lookScheduled = true;
    ServiceEntity.Reconcile tick = new ServiceEntity.Reconcile(incarnation);
    context.getSystem().scheduler().scheduleOnce(after, () -> wiring.tickVia().accept(name, tick), context.getExecutionContext());
  }

  private void afterDeletion(List<Event> events) {
    if (events.stream().anyMatch(e -> e instanceof ServiceEntity.Deleted)) {
      log.info("Service {} is deleted: every replica is gone", name);
      sightings.clear();
      gauges.set(0, 0);
      wiring.index().tell(new ServiceIndex.Unregister(name));
    }
  }

  /** The gauges after a replica answered: what is asked, and how many live replicas serve. */
  private void measure(ServiceState state) {
    gauges.set(state.deleting() ? 0 : state.desired(), sightings.readyOf(state.live()));
  }

  private Reply answer(ServiceState state) {
    return state.exists()
        ? new ServiceEntity.Ok(sightings.view(name, state, autoscaler.status()))
        : new ServiceEntity.NotFound(name);
  }

  private Instant now() {
    return wiring.clock().instant();
  }
}
