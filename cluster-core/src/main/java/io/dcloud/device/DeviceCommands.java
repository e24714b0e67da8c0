package io.dcloud.device;

import com.typesafe.config.Config;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The commands of one controller, sharded by device id and event sourced: each is sent through
 * {@link CommandSender} (QoS 1) and sent again every {@code redeliver-interval} until the device
 * acknowledges it on {@link DeviceTopics#acks} or it expires ({@code dcloud.devices.commands}). A
 * restart resumes the sending of unfinished commands. Keeps the last {@code kept} commands.
 * This class is the protocol, the events (their class names are in the journal: they never move) and
 * the wiring; the behavior is {@link DeviceCommandsBehavior}, the fold {@link DeviceCommandsState#apply}.
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

  /**
   * The controller was deleted ({@code actor}: by whom): its commands go, unfinished ones included,
   * so none is sent to, or listed for, a device registered later under the same id. Answers when
   * done (at once when there was nothing to forget).
   */
  public record Forget(String actor, ActorRef<Done> replyTo) implements Command {}

  /**
   * The entity's periodic delivery round, from the incarnation that scheduled it; it travels through
   * the shard so a controller with unfinished commands is never passivated (and one that moved is
   * woken). One from another incarnation only starts the entity, whose recovery resumes the sending.
   */
  public record Redeliver(long incarnation) implements Command {}

  /** How one delivery went ({@code failure}: the broker did not take it); never crosses the network. */
  record Delivered(String commandId, String failure) implements Command, NoSerializationVerificationNeeded {}

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

  /** Every command kept was dropped: the controller was deleted by {@code actor} (see {@link Forget}). */
  public record Forgotten(String actor, Instant at) implements Event {}

  /**
   * Tunables from {@code dcloud.devices.commands} (see reference.conf); {@code clock} stamps the
   * commands' times and decides their expiry (a test's own).
   */
  public record Settings(
      Duration redeliverInterval, Duration expireAfter, int kept, BackoffSupervisorStrategy journalBackoff, Clock clock) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(Config root) {
      Config commands = root.getConfig("dcloud.devices.commands");
      return new Settings(commands.getDuration("redeliver-interval"), commands.getDuration("expire-after"),
          commands.getInt("kept"), JournalBackoff.forManyFromConfig(root), Clock.systemUTC());
    }
  }

  /** Starts the sharded entities on this node, with the settings of the system's configuration. */
  public static void init(ActorSystem<?> system, CommandSender sender) {
    init(system, sender, Settings.fromConfig(system.settings().config()));
  }

  public static void init(ActorSystem<?> system, CommandSender sender, Settings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(TYPE_KEY, entityContext -> create(entityContext.getEntityId(), sender, settings,
        (deviceId, redeliver) -> sharding.entityRefFor(TYPE_KEY, deviceId).tell(redeliver))));
  }

  /**
   * The entity of controller {@code deviceId} ({@link DeviceCommandsBehavior}). {@code redeliverVia}:
   * how its delivery rounds reach it (through the shard, or a test's direct ref).
   */
  public static Behavior<Command> create(String deviceId, CommandSender sender, Settings settings,
      BiConsumer<String, Redeliver> redeliverVia) {
    return Behaviors.setup(context -> new DeviceCommandsBehavior(deviceId, context, sender, settings, redeliverVia));
  }
}
