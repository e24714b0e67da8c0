package io.dcloud.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.device.DeviceCommand.Status;
import io.dcloud.device.DeviceCommands.Acknowledge;
import io.dcloud.device.DeviceCommands.Answered;
import io.dcloud.device.DeviceCommands.Command;
import io.dcloud.device.DeviceCommands.CommandList;
import io.dcloud.device.DeviceCommands.Delivered;
import io.dcloud.device.DeviceCommands.Event;
import io.dcloud.device.DeviceCommands.Issue;
import io.dcloud.device.DeviceCommands.Issued;
import io.dcloud.device.DeviceCommands.Redeliver;
import io.dcloud.device.DeviceCommands.Sent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behavior of one controller's {@link DeviceCommands}: a command is recorded, then published;
 * every {@code redeliver-interval} each unfinished one is published again (the device may have been
 * offline, or its acknowledgement lost) until it is acknowledged or expires. Which deliveries are in
 * flight is kept in memory only: a restart sends every unfinished command again, which at least once allows.
 */
final class DeviceCommandsBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, DeviceCommandsState> {
  private static final Logger log = LoggerFactory.getLogger(DeviceCommandsBehavior.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A controller's commands are few and small; a snapshot every 100 events bounds its recovery. */
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  private final String deviceId;
  private final ActorContext<Command> context;
  private final CommandSender sender;
  private final DeviceCommands.Settings settings;
  private final BiConsumer<String, Redeliver> redeliverVia;
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  /** Commands handed to the sender whose outcome has not come back: not handed over again meanwhile. */
  private final Set<String> inFlight = new HashSet<>();
  private boolean roundScheduled;

  DeviceCommandsBehavior(String deviceId, ActorContext<Command> context, CommandSender sender,
      DeviceCommands.Settings settings, BiConsumer<String, Redeliver> redeliverVia) {
    super(PersistenceId.of(DeviceCommands.TYPE_KEY.name(), deviceId), settings.journalBackoff());
    this.deviceId = deviceId;
    this.context = context;
    this.sender = sender;
    this.settings = settings;
    this.redeliverVia = redeliverVia;
  }

  @Override
  public DeviceCommandsState emptyState() {
    return DeviceCommandsState.EMPTY;
  }

  @Override
  public EventHandler<DeviceCommandsState, Event> eventHandler() {
    return (state, event) -> state.apply(event, settings.kept());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public SignalHandler<DeviceCommandsState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> {
      List<DeviceCommand> open = state.unfinished();
      if (!open.isEmpty()) {
        log.info("Controller {}: {} unfinished command(s), sending again", deviceId, open.size());
        scheduleRound(Duration.ZERO);
      }
    }).build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, DeviceCommandsState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Issue.class, this::issue)
        .onCommand(Acknowledge.class, this::acknowledge)
        .onCommand(Redeliver.class, this::redeliver)
        .onCommand(Delivered.class, this::delivered)
        .onCommand(DeviceCommands.Forget.class, this::forget)
        .onCommand(DeviceCommands.ListCommands.class, (state, cmd) ->
            Effect().reply(cmd.replyTo(), new CommandList(state.commands())))
        .onCommand(DeviceCommands.Get.class, (state, cmd) ->
            Effect().reply(cmd.replyTo(), new CommandList(state.find(cmd.commandId()).stream().toList())))
        .build();
  }

  /** A command issued again (a retried request) answers how far it got. */
  private ReplyEffect<Event, DeviceCommandsState> issue(DeviceCommandsState state, Issue cmd) {
    DeviceCommand command = cmd.command();
    var known = state.find(command.id());
    if (known.isPresent()) {
      return Effect().reply(cmd.replyTo(), known.get());
    }
    return Effect().persist(new Issued(command))
        .thenRun(after -> {
          log.info("Controller {}: command {} ({}) issued by {}", deviceId, command.id(), command.name(),
              command.issuedBy());
          DeviceMetrics.command(Status.PENDING);
          deliver(command);
          scheduleRound(settings.redeliverInterval());
        })
        .thenReply(cmd.replyTo(), after -> after.find(command.id()).orElse(command));
  }

  private ReplyEffect<Event, DeviceCommandsState> acknowledge(DeviceCommandsState state, Acknowledge ack) {
    var command = state.find(ack.commandId());
    if (command.isEmpty() || command.get().status().finished()) {
      log.debug("Controller {}: acknowledgement of unknown or finished command {} ignored", deviceId, ack.commandId());
      return Effect().noReply();
    }
    Status status = ack.ok() ? Status.ACKED : Status.REJECTED;
    return Effect().persist(new Answered(ack.commandId(), status, settings.clock().instant(), ack.message()))
        .thenRun(after -> {
          log.info("Controller {}: command {} {}{}", deviceId, ack.commandId(), status,
              ack.message() == null ? "" : " (" + ack.message() + ")");
          DeviceMetrics.command(status);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, DeviceCommandsState> forget(DeviceCommandsState state, DeviceCommands.Forget forget) {
    if (state.commands().isEmpty()) {
      return Effect().reply(forget.replyTo(), Done.getInstance());
    }
    return Effect().persist(new DeviceCommands.Forgotten(forget.actor(), settings.clock().instant()))
        .thenRun(after -> log.info("Controller {} deleted by {}: its {} command(s) forgotten ({} unfinished, not sent again)",
            deviceId, forget.actor(), state.commands().size(), state.unfinished().size()))
        .thenReply(forget.replyTo(), after -> Done.getInstance());
  }

  /** Expires what waited too long, publishes the rest again, and schedules the next round while any is left. */
  private ReplyEffect<Event, DeviceCommandsState> redeliver(DeviceCommandsState state, Redeliver round) {
    if (round.incarnation() != incarnation) {
      return Effect().noReply();
    }
    roundScheduled = false;
    Instant now = settings.clock().instant();
    List<Event> expired = state.unfinished().stream()
        .filter(c -> !now.isBefore(c.issuedAt().plus(settings.expireAfter())))
        .<Event>map(c -> new Answered(c.id(), Status.EXPIRED, now, "no acknowledgement within "
            + settings.expireAfter() + " (dcloud.devices.commands.expire-after)"))
        .toList();
    state.unfinished().stream().filter(c -> now.isBefore(c.issuedAt().plus(settings.expireAfter())))
        .forEach(this::deliver);
    if (expired.isEmpty()) {
      scheduleIfUnfinished(state);
      return Effect().noReply();
    }
    return Effect().persist(expired)
        .thenRun(after -> {
          expired.forEach(e -> {
            log.info("Controller {}: command {} EXPIRED", deviceId, ((Answered) e).commandId());
            DeviceMetrics.command(Status.EXPIRED);
          });
          scheduleIfUnfinished(after);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, DeviceCommandsState> delivered(DeviceCommandsState state, Delivered delivered) {
    inFlight.remove(delivered.commandId());
    var command = state.find(delivered.commandId());
    if (delivered.failure() != null) {
      log.debug("Controller {}: command {} not taken by the broker ({}); sent again within {}", deviceId,
          delivered.commandId(), delivered.failure(), settings.redeliverInterval());
      return Effect().noReply();
    } else if (command.isEmpty()) {
      return Effect().noReply();
    }
    boolean first = command.get().status() == Status.PENDING;
    return Effect().persist(new Sent(delivered.commandId(), settings.clock().instant()))
        .thenRun(after -> {
          log.debug("Controller {}: command {} published", deviceId, delivered.commandId());
          if (first) {
            DeviceMetrics.command(Status.SENT);
          }
        })
        .thenNoReply();
  }

  /** Hands {@code command} to the sender unless it holds it already; its outcome comes back as {@link Delivered}. */
  private void deliver(DeviceCommand command) {
    if (!inFlight.add(command.id())) {
      return;
    }
    CompletionStage<Done> sent;
    try {
      sent = sender.send(deviceId, payload(command));
    } catch (RuntimeException failure) {
      sent = CompletableFuture.failedFuture(failure);
    }
    context.pipeToSelf(sent, (done, failure) -> new Delivered(command.id(), failure == null ? null : why(failure)));
  }

  /** What the controller receives: {@code {"id", "name", "params"}}, the parameters as they were stored. */
  static String payload(DeviceCommand command) {
    try {
      return "{\"id\":" + JSON.writeValueAsString(command.id()) + ",\"name\":" + JSON.writeValueAsString(command.name())
          + ",\"params\":" + (command.params() == null || command.params().isBlank() ? "{}" : command.params()) + "}";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string that Jackson cannot write", e);
    }
  }

  private void scheduleIfUnfinished(DeviceCommandsState state) {
    if (!state.unfinished().isEmpty()) {
      scheduleRound(settings.redeliverInterval());
    }
  }

  /** One chain of rounds per incarnation: a round already due is not scheduled twice. */
  private void scheduleRound(Duration after) {
    if (roundScheduled) {
      return;
    }
    roundScheduled = true;
    Redeliver round = new Redeliver(incarnation);
    context.getSystem().scheduler().scheduleOnce(after, () -> redeliverVia.accept(deviceId, round),
        context.getExecutionContext());
  }

  private static String why(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
