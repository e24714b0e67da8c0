package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The registry of sensor and controller types, their devices and the services' bindings to them: a
 * cluster singleton on the control role, event sourced. The gateway validates requests (names,
 * fields, who may) before they reach it; the registry keeps what must hold across requests (a type
 * exists before its devices, is unused before it goes; a binding names existing, enabled devices of
 * the types and counts its service declared). After each change it publishes {@link RegistryChanged}.
 * This class is the protocol and the events (their class names are in the journal: they never move).
 */
public final class DeviceRegistry {
  private DeviceRegistry() {}

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-device-registry");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  public record RegisterType(SensorType type, ActorRef<Reply> replyTo) implements Command {}

  /** Refused (CONFLICT) while a device has this type. */
  public record DeleteType(String name, ActorRef<Reply> replyTo) implements Command {}

  /** {@code device.credentialNonce} is the first nonce; the type must exist (INVALID, field "type"). */
  public record RegisterDevice(Device device, ActorRef<Reply> replyTo) implements Command {}

  /** A disabled device's broker account is disabled (its connection dropped) and its readings refused. */
  public record SetEnabled(String id, boolean enabled, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Also takes the device out of every binding (a binding left with no device goes too). What the
   * device left (its readings and counts, a controller's commands) is erased after the answer, and
   * its id cannot be registered again until that is done ({@link RegistryView#erasing}).
   * {@code deletedBy}: who asked (null in commands from before it was sent).
   */
  public record DeleteDevice(String id, String deletedBy, ActorRef<Reply> replyTo) implements Command {}

  public record RotateCredentials(String id, String nonce, ActorRef<Reply> replyTo) implements Command {}

  /**
   * {@code slots}: what the service declared it consumes (from its definition, read by the gateway).
   * Every device must exist, be enabled and have a type of a slot; per slot, the binding's count of
   * that type's devices must be within min..max (INVALID, field "devices", detail names the device or type).
   */
  public record CreateBinding(Binding binding, List<BindingSlot> slots, ActorRef<Reply> replyTo) implements Command {}

  public record DeleteBinding(String id, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A service whose app consumes devices was deployed: its broker account (and its bindings
   * document, empty until an end user binds it) exists from now on, bound or not, so its app
   * connects at once and hears of its last binding's removal. Idempotent.
   */
  public record DeclareService(String service, ActorRef<Done> replyTo) implements Command {}

  /**
   * A new version of a service's app consumes {@code slots} (none: nothing): refused (CONFLICT,
   * {@code bindings}) while a binding of the service binds a device of a type the version does not
   * take, so that no binding outlives what its app consumes; otherwise its broker account is declared
   * when it consumes anything, as {@link DeclareService}. Answers {@link ConsumptionChecked}.
   */
  public record ServiceConsumes(String service, List<BindingSlot> slots, ActorRef<Reply> replyTo) implements Command {
    public ServiceConsumes {
      slots = slots == null ? List.of() : List.copyOf(slots);
    }
  }

  /** When a service is deleted: its bindings go with it, and its broker account. */
  public record DeleteServiceBindings(String service, ActorRef<Done> replyTo) implements Command {}

  /**
   * A new version of a service, consuming {@code slots}, is in place. {@link ServiceConsumes} checked
   * its bindings before, but the check and the rollout are two steps: a binding made between them,
   * against the old version's types, binds what the new one does not consume, and goes now, with its
   * broker rights. A version that consumes nothing takes the service's bindings and its broker account
   * away, as {@link DeleteServiceBindings}.
   */
  public record ServiceVersionInPlace(String service, List<BindingSlot> slots, ActorRef<Done> replyTo) implements Command {
    public ServiceVersionInPlace {
      slots = slots == null ? List.of() : List.copyOf(slots);
    }
  }

  public record GetView(ActorRef<RegistryView> replyTo) implements Command {}

  /** The registry's own: the erasure of deleted device {@code id} is due again (it failed, or it is a retry). */
  record EraseDevice(String id) implements Command, NoSerializationVerificationNeeded {}

  /** The registry's own: the erasure of deleted device {@code id} ended ({@code failure} null: done). */
  record ErasureEnded(String id, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** What a change answers: what it made or removed, or why not. */
  public sealed interface Reply extends CborSerializable {}

  public record TypeDone(SensorType type) implements Reply {}

  public record DeviceDone(Device device) implements Reply {}

  public record BindingDone(Binding binding) implements Reply {}

  /** See {@link ServiceConsumes}: its bindings fit the version. */
  public record ConsumptionChecked(String service) implements Reply {}

  /** {@code field}: the request's field at fault (null: none in particular). */
  public record Refused(Refusal refusal, String field, String detail) implements Reply {}

  public enum Refusal {
    NOT_FOUND,
    CONFLICT,
    INVALID
  }

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record TypeRegistered(SensorType type) implements Event {}

  public record TypeDeleted(String name) implements Event {}

  public record DeviceRegistered(Device device) implements Event {}

  public record DeviceEnabledChanged(String id, boolean enabled) implements Event {}

  /** {@code deletedBy}: null in events from before it was recorded. */
  public record DeviceDeleted(String id, String deletedBy) implements Event {}

  /** What deleted device {@code id} left (readings, counts, commands) is erased: its id is free again. */
  public record DeviceErased(String id) implements Event {}

  public record CredentialsRotated(String id, String nonce) implements Event {}

  public record BindingCreated(Binding binding) implements Event {}

  public record BindingDeleted(String id) implements Event {}

  /** See {@link DeclareService}. */
  public record ServiceDeclared(String service) implements Event {}

  /** The service was deleted: no account of its own any more (see {@link DeleteServiceBindings}). */
  public record ServiceRetired(String service) implements Event {}

  /**
   * The singleton's behavior ({@link DeviceRegistryBehavior}). {@code changes}: the cluster topic of
   * {@link RegistryChanged}; {@code eraser}: erases what a deleted device left, tried again every
   * {@code dcloud.devices.erase-retry-interval} until it succeeds.
   */
  public static Behavior<Command> create(
      BackoffSupervisorStrategy journalBackoff, ActorRef<Topic.Command<RegistryChanged>> changes, DeviceEraser eraser) {
    return Behaviors.setup(context -> new DeviceRegistryBehavior(journalBackoff, changes, new DeviceErasure(context,
        eraser, context.getSystem().settings().config().getDuration("dcloud.devices.erase-retry-interval"))));
  }
}
