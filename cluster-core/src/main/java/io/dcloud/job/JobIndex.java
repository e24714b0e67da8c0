package io.dcloud.job;

import com.typesafe.config.Config;
import io.dcloud.ask.Asks;
import io.dcloud.journal.JournalEraser;
import io.dcloud.node.NodeWatch;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The jobs that exist, with their owners (what listing asks first), a cluster singleton. It wakes
 * every unfinished job at its start and every {@code wake-interval}: a job's entity runs only while
 * it gets messages, and its own ticks die with its node, so this is what moves a job to another node
 * after its node is lost (and starts them all after a restart of the cluster). Finished jobs are
 * collected once their retention has passed ({@link Collection}): their events erased, their
 * entry gone, so neither this index nor a listing (which asks each listed job) grows for ever.
 */
public final class JobIndex
    extends EventSourcedBehaviorWithEnforcedReplies<JobIndex.Command, JobIndex.Event, JobIndex.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-job-index");
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  /** Idempotent, unanswered: an unfinished job says so at each of its looks. */
  public record Register(String id, String owner, String service) implements Command {}

  /** {@code at}: when it finished (null from a job of an earlier version: the index's clock then). */
  public record Finished(String id, Instant at) implements Command {}

  /** {@code owner} null: every job. */
  public record ListJobs(String owner, ActorRef<Jobs> replyTo) implements Command {}

  /** The timer's: wake the unfinished ones. */
  public record WakeUnfinished() implements Command {}

  /** The timer's: collect the jobs finished longer than the retention ago. */
  public record CollectFinished() implements Command {}

  /** A finished job's events were erased ({@code failure} null) or could not be. Local: from the erase. */
  record Erased(String id, String failure) implements Command {}

  public record Jobs(List<Entry> jobs) implements CborSerializable {}

  /** {@code finishedAt}: null while it runs, and for a job marked finished by an earlier version. */
  public record Entry(String id, String owner, String service, boolean finished, Instant finishedAt)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record Registered(String id, String owner, String service) implements Event {}

  /** {@code at}: null in events of an earlier version. */
  public record MarkedFinished(String id, Instant at) implements Event {}

  /** Its retention passed and its events were erased: it is no longer listed. */
  public record Collected(String id) implements Event {}

  /**
   * Finished jobs are kept {@code retention} (null: forever) after they finished, looked for every
   * {@code interval}, at most {@code batch} erased at once.
   */
  public record Collection(Duration retention, Duration interval, int batch, JournalEraser eraser, Clock clock) {
    private static final String OFF = "off";

    public static Collection fromConfig(Config root, JournalEraser eraser) {
      Config config = root.getConfig("dcloud.jobs.finished");
      return new Collection(
          OFF.equals(config.getString("retention")) ? null : config.getDuration("retention"),
          config.getDuration("collect-interval"), config.getInt("collect-batch"), eraser, Clock.systemUTC());
    }
  }

  public record State(List<Entry> jobs) implements CborSerializable {
    Entry entry(String id) {
      return jobs.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * A new job last; a known one changed where it is, so the jobs stay in the order they were
     * registered (a listing's newest first) however they finish.
     */
    State with(Entry entry) {
      List<Entry> changed = new ArrayList<>(jobs);
      int at = changed.indexOf(entry(entry.id()));
      if (at < 0) {
        changed.add(entry);
      } else {
        changed.set(at, entry);
      }
      return new State(List.copyOf(changed));
    }

    State without(String id) {
      return new State(jobs.stream().filter(e -> !e.id().equals(id)).toList());
    }
  }

  private final ActorContext<Command> context;
  private final Consumer<String> wake;
  private final Runnable stopHearing;
  private final Consumer<String> stop;
  private final Collection collection;
  /** The jobs whose events are being erased, and what this round of collection did so far. */
  private final Set<String> erasing = new HashSet<>();
  private int collectedThisRound;
  private String failedThisRound;

  /**
   * {@code wake}: starts a job's entity by id (see {@link JobEntity#wake}); {@code stop} stops it
   * ({@link JobEntity#stop}); {@code collection}: how finished jobs are collected. {@code waking}:
   * how often the unfinished jobs are woken, and how soon after the cluster removes a member (whose
   * jobs' entities then start elsewhere at once, rather than at the next round).
   */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff, Waking waking,
      Consumer<String> wake, Consumer<String> stop, Collection collection) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new WakeUnfinished(), waking.interval());
      if (collection.retention() != null) {
        timers.startTimerWithFixedDelay(new CollectFinished(), collection.interval());
      }
      ActorRef<Command> self = context.getSelf();
      // Not at once: this node's shard regions may not have heard of the removal yet.
      Runnable stopHearing = waking.nodes().whenMembersRemoved(address -> context.getSystem().scheduler().scheduleOnce(
          waking.afterRemoval(), () -> self.tell(new WakeUnfinished()), context.getSystem().executionContext()));
      return new JobIndex(context, journalBackoff, wake, stop, collection, stopHearing);
    }));
  }

  /**
   * When the unfinished jobs are woken: every {@code interval}, and {@code afterRemoval} after
   * {@code nodes} tell of a member's removal.
   */
  public record Waking(Duration interval, Duration afterRemoval, NodeWatch nodes) {
    /** {@code root} is the whole configuration. */
    public static Waking fromConfig(Config root, NodeWatch nodes) {
      Config jobs = root.getConfig("dcloud.jobs");
      return new Waking(jobs.getDuration("wake-interval"), jobs.getDuration("wake-after-removal"), nodes);
    }
  }

  private JobIndex(ActorContext<Command> context, BackoffSupervisorStrategy journalBackoff, Consumer<String> wake,
      Consumer<String> stop, Collection collection, Runnable stopHearing) {
    super(PERSISTENCE_ID, journalBackoff);
    this.context = context;
    this.wake = wake;
    this.stop = stop;
    this.collection = collection;
    this.stopHearing = stopHearing;
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::wakeUnfinished)
        // Not on a restart after a journal failure: this object, and so its subscription, lives on.
        .onSignal(PostStop.instance(), state -> stopHearing.run())
        // A restart by its supervisor (after an unexpected failure) sets up a new subscription.
        .onSignal(PreRestart.instance(), state -> stopHearing.run())
        .build();
  }

  private void wakeUnfinished(State state) {
    state.jobs().stream().filter(e -> !e.finished()).forEach(e -> wake.accept(e.id()));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, (state, register) -> state.entry(register.id()) != null
            ? Effect().noReply()
            : Effect().persist(new Registered(register.id(), register.owner(), register.service())).thenNoReply())
        .onCommand(Finished.class, (state, finished) -> {
          Entry entry = state.entry(finished.id());
          return entry == null || entry.finishedAt() != null
              ? Effect().noReply()
              : Effect().persist(new MarkedFinished(finished.id(),
                  finished.at() == null ? collection.clock().instant() : finished.at())).thenNoReply();
        })
        .onCommand(CollectFinished.class, (state, tick) -> collect(state))
        .onCommand(Erased.class, this::onErased)
        .onCommand(ListJobs.class, (state, list) -> Effect().reply(list.replyTo(), new Jobs(state.jobs().stream()
            .filter(e -> list.owner() == null || list.owner().equals(e.owner())).toList())))
        .onCommand(WakeUnfinished.class, (state, tick) -> {
          wakeUnfinished(state);
          return Effect().noReply();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> state.with(new Entry(e.id(), e.owner(), e.service(), false, null)))
        .onEvent(MarkedFinished.class, (state, e) -> {
          Entry entry = state.entry(e.id());
          return state.with(new Entry(entry.id(), entry.owner(), entry.service(), true, e.at()));
        })
        .onEvent(Collected.class, (state, e) -> state.without(e.id()))
        .build();
  }

  /**
   * Erases the events of the jobs finished longer than the retention ago, a batch at a time; a job
   * an earlier version marked finished gets its time now (its retention counts from here). A
   * job's output dataset is the user's and stays.
   */
  private ReplyEffect<Event, State> collect(State state) {
    if (collection.retention() == null || !erasing.isEmpty()) {
      return Effect().noReply();
    }
    Instant now = collection.clock().instant();
    Instant finishedBefore = now.minus(collection.retention());
    List<Event> timed = new ArrayList<>();
    collectedThisRound = 0;
    failedThisRound = null;
    for (Entry entry : state.jobs()) {
      if (timed.size() + erasing.size() == collection.batch()) {
        break;
      }
      if (entry.finished() && entry.finishedAt() == null) {
        timed.add(new MarkedFinished(entry.id(), now));
      } else if (entry.finishedAt() != null && entry.finishedAt().isBefore(finishedBefore)) {
        erasing.add(entry.id());
        Asks.pipeToSelf(context, collection.eraser().erase(PersistenceId.of(JobEntity.TYPE_KEY.name(), entry.id()).id()),
            (done, failure) -> new Erased(entry.id(), failure == null ? null : failure.toString()));
      }
    }
    return timed.isEmpty() ? Effect().noReply() : Effect().persist(timed).thenNoReply();
  }

  private ReplyEffect<Event, State> onErased(State state, Erased erased) {
    erasing.remove(erased.id());
    if (erased.failure() == null) {
      collectedThisRound++;
      JobMetrics.collected();
    } else if (failedThisRound == null) {
      failedThisRound = erased.failure();
    }
    if (erasing.isEmpty()) {
      if (collectedThisRound > 0) {
        context.getLog().info("Collected {} job(s) finished more than {} ago: their events are erased, their output kept",
            collectedThisRound, Durations.format(collection.retention()));
      }
      if (failedThisRound != null) {
        context.getLog().warn("Could not erase the events of some jobs finished more than {} ago; trying again in {}: {}",
            Durations.format(collection.retention()), Durations.format(collection.interval()), failedThisRound);
      }
    }
    return erased.failure() == null
        ? Effect().persist(new Collected(erased.id())).thenRun(after -> stop.accept(erased.id())).thenNoReply()
        : Effect().noReply();
  }
}
