package io.dcloud.job;

import io.dcloud.ask.Asks;
import io.dcloud.job.JobEntity.Command;
import io.dcloud.job.JobEntity.Event;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behavior of one job entity (its protocol and events are {@link JobEntity}). Where the input's
 * tasks start ({@link JobInput.Tasks}: never the records themselves, read for each task as it is
 * sent, through an {@link InputWindow}), the service's ready replicas and the tasks in flight are kept in memory only: after a
 * restart (or on another node) the input is indexed again, the service asked again, and every task
 * not recorded as done is sent again.
 */
final class JobBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, JobState> {
  private static final Logger log = LoggerFactory.getLogger(JobBehavior.class);

  private final String id;
  private final ActorContext<Command> context;
  private final JobEntity.Wiring wiring;
  private final JobEntity.Settings settings;
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private final JobDispatch dispatch;
  private final JobIo io;
  private final InputReading input;
  private List<ServiceView.Replica> ready = List.of();
  private int port;
  private boolean tickScheduled;
  private boolean writingOutput;
  private boolean running;
  private final ResendsAfterRemoval resends = new ResendsAfterRemoval();
  private final Runnable stopHearingOfRemovals;

  JobBehavior(String id, ActorContext<Command> context, JobEntity.Wiring wiring) {
    super(PersistenceId.of(JobEntity.TYPE_KEY.name(), id), wiring.settings().journalBackoff());
    this.id = id;
    this.context = context;
    this.wiring = wiring;
    this.settings = wiring.settings();
    this.dispatch = new JobDispatch(settings.inFlightPerReplica());
    this.io = new JobIo(id, context.getSystem(), wiring);
    this.input = new InputReading(context, io, settings.inputWindowBytes());
    ActorRef<Command> self = context.getSelf();
    this.stopHearingOfRemovals = wiring.nodes().whenMembersRemoved(address -> self.tell(new JobEntity.MemberRemoved(address)));
  }

  @Override
  public JobState emptyState() {
    return JobState.none(id);
  }

  @Override
  public EventHandler<JobState, Event> eventHandler() {
    return JobState::apply;
  }

  /** A recovery replays at most {@code dcloud.jobs.snapshot-every} events after the latest snapshot (events are kept). */
  @Override
  public RetentionCriteria retentionCriteria() {
    return settings.snapshotEvery() > 0 ? RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2) : RetentionCriteria.disabled();
  }

  @Override
  public SignalHandler<JobState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.exists() && !state.status().finished()) {
            log.info("Job {} resumes ({}, {} of {} records done)", id, state.status(), state.recordsDone(), state.records());
            resume(state);
          }
        })
        // Not on a restart after a journal failure: this object, and so its subscription, lives on.
        .onSignal(PostStop.instance(), state -> stopped())
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, JobState> commandHandler() {
    return this::handle;
  }

  private ReplyEffect<Event, JobState> handle(JobState state, Command command) {
    if (command instanceof JobEntity.Submit cmd) {
      return submit(state, cmd);
    } else if (command instanceof JobEntity.Get cmd) {
      return Effect().reply(cmd.replyTo(), answer(state));
    } else if (command instanceof JobEntity.Cancel cmd) {
      return cancel(state, cmd);
    } else if (command instanceof JobEntity.Passivate) {
      return Effect().stop().thenNoReply();
    } else if (command instanceof JobEntity.Tick tick) {
      if (tick.incarnation() == incarnation) {
        tickScheduled = false;
        resendAfterRemoval();
        look(state);
      }
      return Effect().noReply();
    } else if (command instanceof JobEntity.MemberRemoved removed) {
      if (state.status() == JobStatus.RUNNING) {
        // Not at once: this node's shard regions may not have heard of the removal yet.
        log.info("Job {}: {} left the cluster; its {} tasks in flight may have gone with it", id, removed.address(),
            dispatch.size());
        resends.memberRemoved();
      }
      return Effect().noReply();
    } else if (command instanceof JobEntity.ServiceSeen seen) {
      return onService(state, seen.reply());
    } else if (command instanceof JobEntity.InputRead read) {
      return onInput(state, read);
    } else if (command instanceof JobEntity.TaskAnswered answered) {
      return onAnswer(state, answered);
    } else if (command instanceof JobEntity.TaskStored stored) {
      return onStored(state, stored);
    } else if (command instanceof JobEntity.OutputWritten written) {
      return onOutput(state, written);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, JobState> submit(JobState state, JobEntity.Submit cmd) {
    if (state.exists()) {
      return Effect().reply(cmd.replyTo(), answer(state));
    }
    return Effect().persist(new JobEntity.Submitted(cmd.spec(), cmd.owner(), wiring.clock().instant()))
        .thenRun(next -> {
          log.info("Job {} submitted by {}: dataset {} version {} through service {}, {} records a task", id, cmd.owner(),
              cmd.spec().dataset(), cmd.spec().input().version(), cmd.spec().service(), cmd.spec().batchSize());
          resume(next);
        })
        .thenReply(cmd.replyTo(), this::answer);
  }

  private ReplyEffect<Event, JobState> cancel(JobState state, JobEntity.Cancel cmd) {
    if (!state.exists()) {
      return Effect().reply(cmd.replyTo(), new JobEntity.NotFound(id));
    } else if (state.status().finished()) {
      return Effect().reply(cmd.replyTo(), new JobEntity.Conflict("job " + id + " is already " + state.status()));
    }
    dispatch.clear();
    return Effect().persist(new JobEntity.Cancelled(cmd.actor(), wiring.clock().instant()))
        .thenRun(this::finish)
        .thenReply(cmd.replyTo(), this::answer);
  }

  private void resendAfterRemoval() {
    if (resends.look() && dispatch.size() > 0) {
      int resent = dispatch.returnInFlight();
      log.info("Job {}: sending its {} tasks in flight again ({} looks after a member's removal)", id, resent,
          resends.looks());
      JobMetrics.resent(resent);
    }
  }

  /** Takes the job up: registered with the index, its input read, the first look at once. */
  private void resume(JobState state) {
    wiring.index().tell(new JobIndex.Register(id, state.owner(), state.spec().service()));
    input.start(state);
    scheduleTick(Duration.ZERO);
  }

  /** Asks the service for its replicas (answered as {@link JobEntity.ServiceSeen}); then the next look. */
  private void look(JobState state) {
    if (!state.exists()) {
      return;
    }
    if (state.status().finished()) {
      // Woken by the index, which missed its Finished (its node was lost as the job ended, say).
      wiring.index().tell(new JobIndex.Finished(id, state.finishedAt()));
      return;
    }
    wiring.index().tell(new JobIndex.Register(id, state.owner(), state.spec().service()));
    input.start(state);
    RecipientRef<ServiceEntity.Command> service = wiring.services().apply(state.spec().service());
    Asks.<ServiceEntity.Command, ServiceEntity.Reply, Command>ask(context, service, settings.taskTimeout(),
        ServiceEntity.Get::new, (reply, failure) -> new JobEntity.ServiceSeen(reply));
    // Its backlog is load on the service, as calls waiting at a gateway are: one that autoscales
    // grows for it (from none too).
    if (state.tasksLeft() > 0) {
      service.tell(new ServiceEntity.ReportLoad(state.tasksLeft(), settings.tickInterval()));
    }
    if (state.allDone()) {
      writeOutput(state);
    }
    scheduleTick(settings.tickInterval());
  }

  private void scheduleTick(Duration after) {
    if (tickScheduled) {
      return;
    }
    tickScheduled = true;
    JobEntity.Tick tick = new JobEntity.Tick(incarnation);
    context.getSystem().scheduler().scheduleOnce(after, () -> wiring.tickVia().accept(id, tick), context.getExecutionContext());
  }

  private ReplyEffect<Event, JobState> onInput(JobState state, JobEntity.InputRead read) {
    if (!state.exists() || state.status().finished()) {
      input.ended(read);
      return Effect().noReply();
    } else if (read.failure() != null) {
      input.ended(read);
      return end(new JobEntity.Failed("the input could not be read: " + read.failure(), wiring.clock().instant()));
    }
    InputWindow window = input.read(read);
    if (!running) {
      running = true;
      JobMetrics.started();
    }
    if (state.status() == JobStatus.QUEUED) {
      JobInput.Tasks tasks = window.tasks();
      log.info("Job {}: {} records in {} tasks", id, tasks.records(), tasks.count());
      return dispatched(state, List.of(
          new JobEntity.Started(tasks.records(), tasks.count(), wiring.clock().instant(), read.saved())));
    }
    if (state.allDone()) {
      writeOutput(state);
    }
    return dispatched(state, List.of());
  }

  private ReplyEffect<Event, JobState> onService(JobState state, ServiceEntity.Reply reply) {
    if (!state.exists() || state.status().finished()) {
      return Effect().noReply();
    } else if (reply instanceof ServiceEntity.NotFound
        || (reply instanceof ServiceEntity.Ok gone && gone.view().deleting())) {
      return end(new JobEntity.Failed("service " + state.spec().service() + " no longer exists", wiring.clock().instant()));
    } else if (reply instanceof ServiceEntity.Ok ok) {
      port = ok.view().port();
      ready = ok.view().replicas().stream().filter(r -> Boolean.TRUE.equals(r.ready()) && r.node() != null).toList();
      return dispatched(state, List.of());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, JobState> onAnswer(JobState state, JobEntity.TaskAnswered answer) {
    if (state.status() != JobStatus.RUNNING || !dispatch.isCurrent(answer.task(), answer.attempt())) {
      return Effect().noReply();
    } else if (answer.failure() != null) {
      return taskFailed(state, answer.task(), answer.replica(), answer.failure());
    } else if (answer.status() >= 500 || answer.status() == 429) {
      return taskFailed(state, answer.task(), answer.replica(), "HTTP " + answer.status());
    } else if (answer.status() >= 300) {
      // The model refuses these records: another replica would too.
      dispatch.clear();
      return end(new JobEntity.Failed(PredictCalls.refusal(answer.body(), answer.status(), state.from(answer.task())),
          wiring.clock().instant()));
    }
    ByteString lines;
    try {
      lines = PredictCalls.lines(answer.body(), state.to(answer.task()) - state.from(answer.task()));
    } catch (IllegalArgumentException wrong) {
      return taskFailed(state, answer.task(), answer.replica(), wrong.getMessage());
    }
    Asks.pipeToSelf(context, io.store(answer, lines), (stored, failure) -> stored);
    return Effect().noReply();
  }

  private ReplyEffect<Event, JobState> onStored(JobState state, JobEntity.TaskStored stored) {
    if (state.status() != JobStatus.RUNNING || !dispatch.isCurrent(stored.task(), stored.attempt())) {
      return Effect().noReply();
    } else if (stored.failure() != null) {
      return taskFailed(state, stored.task(), stored.replica(), stored.failure());
    }
    dispatch.settled(stored.task());
    log.debug("Job {}: task {} done by {}", id, stored.task(), stored.replica());
    return dispatched(state, List.of(new JobEntity.TaskDone(stored.task(), stored.replica(),
        io.taskBlobId(stored.task(), stored.attempt()),
        stored.blob().size(), stored.blob().sha256(), wiring.clock().instant())));
  }

  /** The task goes back to the pending ones; after {@code max-attempts} failures the job fails. */
  private ReplyEffect<Event, JobState> taskFailed(JobState state, int task, String replica, String reason) {
    dispatch.failed(task);
    JobEntity.TaskFailed failed = new JobEntity.TaskFailed(task, replica, reason, wiring.clock().instant());
    int failures = state.apply(failed).tasks().get(task).failedOn().size();
    if (failures >= settings.maxAttempts()) {
      dispatch.clear();
      return Effect().persist(List.of(failed, new JobEntity.Failed("task " + task + " (records " + state.from(task) + " to "
          + (state.to(task) - 1) + ") failed " + failures + " times (dcloud.jobs.max-attempts); last on replica " + replica
          + ": " + reason, wiring.clock().instant()))).thenRun(this::finish).thenNoReply();
    }
    log.info("Job {}: task {} failed on replica {} ({}); sending it again", id, task, replica, reason);
    JobMetrics.retried();
    return dispatched(state, List.of(failed));
  }

  /**
   * Records {@code first}, then the assignments of whatever ready replicas can take now, and sends
   * those; the output is written once every task is done.
   */
  private ReplyEffect<Event, JobState> dispatched(JobState state, List<Event> first) {
    JobState next = state;
    for (Event event : first) {
      next = next.apply(event);
    }
    // Between two looks at the service, a replica whose node is lost takes no more tasks.
    List<ServiceView.Replica> reachable = ready.stream().filter(r -> wiring.nodes().reachable(r.node())).toList();
    List<JobDispatch.Assignment> assignments = input.window() == null ? List.of() : dispatch.assign(next, reachable);
    List<Event> events = new ArrayList<>(first);
    assignments.forEach(a -> events.add(new JobEntity.TaskAssigned(a.task(), a.replica(), a.node(), a.attempt(),
        wiring.clock().instant())));
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    assignments.forEach(dispatch::sent);
    return Effect().persist(events).thenRun(after -> {
      assignments.forEach(this::send);
      if (after.allDone()) {
        writeOutput(after);
      }
    }).thenNoReply();
  }

  private void send(JobDispatch.Assignment a) {
    log.debug("Job {}: task {} (attempt {}) to replica {} on {}", id, a.task(), a.attempt(), a.replica(), a.node());
    Asks.pipeToSelf(context, io.send(input.window(), port, a, context.getSelf()), (answered, failure) -> answered);
  }

  /** Joins the tasks' predictions in input order into the output dataset's version (once at a time). */
  private void writeOutput(JobState state) {
    if (writingOutput) {
      return;
    }
    writingOutput = true;
    Asks.pipeToSelf(context, io.writeOutput(state), (written, failure) -> written);
  }

  private ReplyEffect<Event, JobState> onOutput(JobState state, JobEntity.OutputWritten written) {
    writingOutput = false;
    if (state.status() != JobStatus.RUNNING) {
      return Effect().noReply();
    } else if (written.failure() != null) {
      return end(new JobEntity.Failed("the output could not be stored: " + written.failure(), wiring.clock().instant()));
    }
    return Effect().persist(new JobEntity.Succeeded(state.spec().outputDataset(id), written.version(),
            wiring.clock().instant()))
        .thenRun(after -> {
          finish(after);
          io.deleteTaskBlobs(after);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, JobState> end(Event last) {
    return Effect().persist(last).thenRun(this::finish).thenNoReply();
  }

  private void finish(JobState state) {
    log.info("Job {} {}: {} of {} records done{}", id, state.status(), state.recordsDone(), state.records(),
        state.error() == null ? "" : " (" + state.error() + ")");
    wiring.index().tell(new JobIndex.Finished(id, state.finishedAt()));
    JobMetrics.finished(state.status());
    dispatch.clear();
    io.deleteWorkingBlobs(state);
    input.forget();
    stopRunning();
  }

  /** The entity stops (passivated, moved, or its node leaving). */
  private void stopped() {
    stopHearingOfRemovals.run();
    stopRunning();
  }

  private void stopRunning() {
    if (running) {
      running = false;
      JobMetrics.stopped();
    }
  }

  private JobEntity.Reply answer(JobState state) {
    if (!state.exists()) {
      return new JobEntity.NotFound(id);
    }
    return new JobEntity.Ok(input.shown(state, state.view(wiring.clock().instant())));
  }
}
