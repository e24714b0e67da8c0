package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The commands of one controller, sharded by device id and event sourced: each is sent through
 * {@link CommandSender} (QoS 1) and sent again every {@code redeliver-interval} until the device
 * acknowledges it on {@link DeviceTopics#acks} or it expires ({@code dcloud.devices.commands}). A
 * restart resumes the sending of unfinished commands. Keeps the last {@code kept} commands.
 * This class is the protocol and the events (their class names are in the journal: they never move).
 */
public final class DeviceCommands {
  private DeviceCommands() {}

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "DeviceCommands");

  public sealed interface Command extends CborSerializable {}

  /** {@code command} is new (PENDING, 0 attempts; the gateway validated it); an existing id answers what it is. */
  public record Issue(DeviceCommand command, ActorRef<DeviceCommand> replyTo) implements Command {}

  /** From the device: {@code ok} false is REJECTED. Unknown or finished ids are ignored. */
  public record Acknowledge(String commandId, boolean ok, String message) implements Command {}

  /** The kept commands, newest first. */
  public record ListCommands(ActorRef<CommandList> replyTo) implements Command {}

  /** Answers a list of the one command, or an empty one when unknown. */
  public record Get(String commandId, ActorRef<CommandList> replyTo) implements Command {}

  public record CommandList(List<DeviceCommand> commands) implements CborSerializable {
    public CommandList {
      commands = List.copyOf(commands);
    }
  }

  public sealed interface Event extends CborSerializable {}

  public record Issued(DeviceCommand command) implements Event {}

  public record Sent(String commandId, Instant at) implements Event {}

  public record Answered(String commandId, DeviceCommand.Status status, Instant at, String message)
      implements Event {}

  /**
   * Starts the sharded entities on this node. TODO(helper registry): implement (behavior, settings
   * from {@code dcloud.devices.commands}, redelivery timers, recovery resumes sending).
   */
  public static void init(ActorSystem<?> system, CommandSender sender) {
    throw new UnsupportedOperationException("not yet");
  }
}
