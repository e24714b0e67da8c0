package io.dcloud.device;

import io.dcloud.device.DeviceRegistry.BindingCreated;
import io.dcloud.device.DeviceRegistry.BindingDeleted;
import io.dcloud.device.DeviceRegistry.BindingDone;
import io.dcloud.device.DeviceRegistry.Command;
import io.dcloud.device.DeviceRegistry.CreateBinding;
import io.dcloud.device.DeviceRegistry.CredentialsRotated;
import io.dcloud.device.DeviceRegistry.DeleteBinding;
import io.dcloud.device.DeviceRegistry.DeleteDevice;
import io.dcloud.device.DeviceRegistry.DeleteServiceBindings;
import io.dcloud.device.DeviceRegistry.DeleteType;
import io.dcloud.device.DeviceRegistry.DeviceDeleted;
import io.dcloud.device.DeviceRegistry.DeviceDone;
import io.dcloud.device.DeviceRegistry.DeviceEnabledChanged;
import io.dcloud.device.DeviceRegistry.DeviceRegistered;
import io.dcloud.device.DeviceRegistry.Event;
import io.dcloud.device.DeviceRegistry.GetView;
import io.dcloud.device.DeviceRegistry.Refusal;
import io.dcloud.device.DeviceRegistry.Refused;
import io.dcloud.device.DeviceRegistry.RegisterDevice;
import io.dcloud.device.DeviceRegistry.RegisterType;
import io.dcloud.device.DeviceRegistry.RotateCredentials;
import io.dcloud.device.DeviceRegistry.SetEnabled;
import io.dcloud.device.DeviceRegistry.TypeDeleted;
import io.dcloud.device.DeviceRegistry.TypeDone;
import io.dcloud.device.DeviceRegistry.TypeRegistered;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.pubsub.Topic;
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
 * The behavior of the {@link DeviceRegistry} singleton (its protocol and events are there, the fold
 * {@link RegistryFold}): refuses what would break the registry's invariants, persists the rest and
 * tells the copies of the view that it changed.
 */
final class DeviceRegistryBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, RegistryView> {
  private static final Logger log = LoggerFactory.getLogger(DeviceRegistryBehavior.class);
  /** Devices and bindings change one at a time, so a snapshot every 100 events bounds recovery. */
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  private final ActorRef<Topic.Command<RegistryChanged>> changes;
  private final DeviceErasure erasure;

  DeviceRegistryBehavior(BackoffSupervisorStrategy journalBackoff, ActorRef<Topic.Command<RegistryChanged>> changes,
      DeviceErasure erasure) {
    super(DeviceRegistry.PERSISTENCE_ID, journalBackoff);
    this.changes = changes;
    this.erasure = erasure;
  }

  @Override
  public RegistryView emptyState() {
    return RegistryView.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public EventHandler<RegistryView, Event> eventHandler() {
    return RegistryFold::apply;
  }

  /**
   * A copy that missed a change while the singleton moved learns of it here: the registry says its
   * version once it is back. The erasures it still owes start again.
   */
  @Override
  public SignalHandler<RegistryView> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), view -> {
      if (view.version() > 0) {
        log.info("Device registry recovered at version {}: {} types, {} devices, {} bindings, {} deleted device(s) to erase",
            view.version(), view.types().size(), view.devices().size(), view.bindings().size(), view.erasing().size());
        changed(view);
      }
      view.erasing().forEach(erasure::start);
    }).build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, RegistryView> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(GetView.class, (view, cmd) -> Effect().reply(cmd.replyTo(), view))
        .onCommand(RegisterType.class, this::registerType)
        .onCommand(DeleteType.class, this::deleteType)
        .onCommand(RegisterDevice.class, this::registerDevice)
        .onCommand(SetEnabled.class, this::setEnabled)
        .onCommand(DeleteDevice.class, this::deleteDevice)
        .onCommand(RotateCredentials.class, this::rotate)
        .onCommand(CreateBinding.class, this::createBinding)
        .onCommand(DeleteBinding.class, this::deleteBinding)
        .onCommand(DeleteServiceBindings.class, this::deleteServiceBindings)
        .onCommand(DeviceRegistry.DeclareService.class, this::declareService)
        .onCommand(DeviceRegistry.ServiceConsumes.class, this::serviceConsumes)
        .onCommand(DeviceRegistry.ServiceVersionInPlace.class, this::serviceVersionInPlace)
        .onCommand(DeviceRegistry.EraseDevice.class, this::eraseDevice)
        .onCommand(DeviceRegistry.ErasureEnded.class, this::erasureEnded)
        .build();
  }

  /** Registering the same type again (a retried request) answers the one registered. */
  private ReplyEffect<Event, RegistryView> registerType(RegistryView view, RegisterType cmd) {
    SensorType type = cmd.type();
    SensorType existing = view.types().get(type.name());
    if (existing != null) {
      return sameDeclaration(existing, type)
          ? Effect().reply(cmd.replyTo(), new TypeDone(existing))
          : refuse(cmd.replyTo(), Refusal.CONFLICT, "name", "sensor type \"" + type.name() + "\" already exists");
    }
    return persist(new TypeRegistered(type), cmd.replyTo(), after -> new TypeDone(type),
        "{} registered {} type {}", type.createdBy(), type.kind(), type.name());
  }

  private static boolean sameDeclaration(SensorType a, SensorType b) {
    return a.kind() == b.kind() && a.fields().equals(b.fields()) && a.commands().equals(b.commands());
  }

  private ReplyEffect<Event, RegistryView> deleteType(RegistryView view, DeleteType cmd) {
    SensorType type = view.types().get(cmd.name());
    if (type == null) {
      return refuse(cmd.replyTo(), Refusal.NOT_FOUND, null, "sensor type \"" + cmd.name() + "\" does not exist");
    }
    List<String> users = view.devices().values().stream()
        .filter(device -> device.type().equals(cmd.name())).map(Device::id).sorted().toList();
    if (!users.isEmpty()) {
      return refuse(cmd.replyTo(), Refusal.CONFLICT, null, "sensor type \"" + cmd.name() + "\" is used by "
          + users.size() + " device(s), e.g. \"" + users.get(0) + "\": delete them first");
    }
    return persist(new TypeDeleted(cmd.name()), cmd.replyTo(), after -> new TypeDone(type),
        "Sensor type {} deleted", cmd.name());
  }

  private ReplyEffect<Event, RegistryView> registerDevice(RegistryView view, RegisterDevice cmd) {
    Device device = cmd.device();
    if (view.devices().containsKey(device.id())) {
      return refuse(cmd.replyTo(), Refusal.CONFLICT, "id", "device \"" + device.id() + "\" already exists");
    } else if (view.erasing().containsKey(device.id())) {
      // Its readings would show under the new device, and the erasure would delete the new device's.
      return refuse(cmd.replyTo(), Refusal.CONFLICT, "id", "device \"" + device.id() + "\" was deleted and its readings"
          + " and commands are still being erased: register it again in a few seconds");
    } else if (!view.types().containsKey(device.type())) {
      return refuse(cmd.replyTo(), Refusal.INVALID, "type", "sensor type \"" + device.type() + "\" does not exist");
    }
    return persist(new DeviceRegistered(device), cmd.replyTo(), after -> new DeviceDone(device),
        "{} registered device {} of type {} at {}", device.createdBy(), device.id(), device.type(), device.location());
  }

  /** Enabling an enabled device (disabling a disabled one) changes nothing and answers it as it is. */
  private ReplyEffect<Event, RegistryView> setEnabled(RegistryView view, SetEnabled cmd) {
    Device device = view.devices().get(cmd.id());
    if (device == null) {
      return notFound(cmd.replyTo(), cmd.id());
    } else if (device.enabled() == cmd.enabled()) {
      return Effect().reply(cmd.replyTo(), new DeviceDone(device));
    }
    return persist(new DeviceEnabledChanged(cmd.id(), cmd.enabled()), cmd.replyTo(),
        after -> new DeviceDone(after.devices().get(cmd.id())),
        "Device {} {}", cmd.id(), cmd.enabled() ? "enabled" : "disabled");
  }

  private ReplyEffect<Event, RegistryView> deleteDevice(RegistryView view, DeleteDevice cmd) {
    Device device = view.devices().get(cmd.id());
    if (device == null) {
      return notFound(cmd.replyTo(), cmd.id());
    }
    String deletedBy = cmd.deletedBy() == null ? RegistryFold.UNKNOWN : cmd.deletedBy();
    return Effect().persist(new DeviceDeleted(cmd.id(), deletedBy))
        .thenRun(after -> {
          log.info("Device {} deleted by {} (and taken out of its bindings); erasing its readings and commands",
              cmd.id(), deletedBy);
          changed(after);
          erasure.start(cmd.id(), deletedBy);
        })
        .thenReply(cmd.replyTo(), after -> new DeviceDone(device));
  }

  private ReplyEffect<Event, RegistryView> eraseDevice(RegistryView view, DeviceRegistry.EraseDevice cmd) {
    String deletedBy = view.erasing().get(cmd.id());
    if (deletedBy != null) {
      erasure.start(cmd.id(), deletedBy);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, RegistryView> erasureEnded(RegistryView view, DeviceRegistry.ErasureEnded ended) {
    if (!erasure.ended(ended) || !view.erasing().containsKey(ended.id())) {
      return Effect().noReply();
    }
    return Effect().persist(new DeviceRegistry.DeviceErased(ended.id()))
        .thenRun(after -> {
          log.info("What deleted device {} left (readings, commands) is erased: its id is free", ended.id());
          changed(after);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, RegistryView> rotate(RegistryView view, RotateCredentials cmd) {
    if (!view.devices().containsKey(cmd.id())) {
      return notFound(cmd.replyTo(), cmd.id());
    }
    return persist(new CredentialsRotated(cmd.id(), cmd.nonce()), cmd.replyTo(),
        after -> new DeviceDone(after.devices().get(cmd.id())), "Credentials of device {} rotated", cmd.id());
  }

  private ReplyEffect<Event, RegistryView> createBinding(RegistryView view, CreateBinding cmd) {
    Binding binding = cmd.binding();
    if (view.bindings().containsKey(binding.id())) {
      return refuse(cmd.replyTo(), Refusal.CONFLICT, "id", "binding \"" + binding.id() + "\" already exists");
    }
    Optional<String> refusal = BindingCheck.refusal(view, binding, cmd.slots());
    if (refusal.isPresent()) {
      return refuse(cmd.replyTo(), Refusal.INVALID, "devices", refusal.get());
    }
    Optional<String> conflict = BindingCheck.conflict(view, binding);
    if (conflict.isPresent()) {
      return refuse(cmd.replyTo(), Refusal.CONFLICT, "devices", conflict.get());
    }
    return persist(new BindingCreated(binding), cmd.replyTo(), after -> new BindingDone(binding),
        "{} bound service {} to devices {} (binding {})", binding.owner(), binding.service(), binding.devices(),
        binding.id());
  }

  private ReplyEffect<Event, RegistryView> deleteBinding(RegistryView view, DeleteBinding cmd) {
    Binding binding = view.bindings().get(cmd.id());
    if (binding == null) {
      return refuse(cmd.replyTo(), Refusal.NOT_FOUND, null, "binding \"" + cmd.id() + "\" does not exist");
    }
    return persist(new BindingDeleted(cmd.id()), cmd.replyTo(), after -> new BindingDone(binding),
        "Binding {} of service {} deleted", cmd.id(), binding.service());
  }

  private ReplyEffect<Event, RegistryView> declareService(RegistryView view, DeviceRegistry.DeclareService cmd) {
    return declared(view, cmd.service(), cmd.replyTo(), Done.getInstance());
  }

  /** Declares {@code service}'s account unless it has one, then answers {@code reply}. */
  private <R> ReplyEffect<Event, RegistryView> declared(RegistryView view, String service, ActorRef<R> replyTo, R reply) {
    if (view.services().contains(service)) {
      return Effect().reply(replyTo, reply);
    }
    return Effect().persist(new DeviceRegistry.ServiceDeclared(service))
        .thenRun(after -> {
          log.info("Service {} consumes devices: its broker account exists from now on, bound or not", service);
          changed(after);
        })
        .thenReply(replyTo, after -> reply);
  }

  private ReplyEffect<Event, RegistryView> serviceConsumes(RegistryView view, DeviceRegistry.ServiceConsumes cmd) {
    Set<String> takes = cmd.slots().stream().map(BindingSlot::type).collect(Collectors.toSet());
    for (Binding binding : view.bindingsOf(cmd.service())) {
      for (String device : binding.devices()) {
        Optional<String> type = view.typeOf(device).map(SensorType::name);
        if (type.isPresent() && !takes.contains(type.get())) {
          return refuse(cmd.replyTo(), Refusal.CONFLICT, "bindings", "binding " + binding.id() + " binds device \""
              + device + "\" of type \"" + type.get() + "\", which this version of service \"" + cmd.service()
              + "\" does not consume: unbind it first (DELETE /services/" + cmd.service() + "/bindings/" + binding.id() + ")");
        }
      }
    }
    DeviceRegistry.ConsumptionChecked checked = new DeviceRegistry.ConsumptionChecked(cmd.service());
    return takes.isEmpty() ? Effect().reply(cmd.replyTo(), checked) : declared(view, cmd.service(), cmd.replyTo(), checked);
  }

  private ReplyEffect<Event, RegistryView> deleteServiceBindings(RegistryView view, DeleteServiceBindings cmd) {
    List<Binding> all = view.bindingsOf(cmd.service());
    return withoutBindings(view, cmd.service(), all, true, cmd.replyTo(), () -> log.info(
        "Service {} is deleted: its {} binding(s) and its broker account go", cmd.service(), all.size()));
  }

  private ReplyEffect<Event, RegistryView> serviceVersionInPlace(RegistryView view, DeviceRegistry.ServiceVersionInPlace cmd) {
    Set<String> takes = cmd.slots().stream().map(BindingSlot::type).collect(Collectors.toSet());
    List<Binding> unfit = view.bindingsOf(cmd.service()).stream()
        .filter(binding -> takes.isEmpty() || binding.devices().stream()
            .anyMatch(device -> view.typeOf(device).map(type -> !takes.contains(type.name())).orElse(false)))
        .toList();
    Runnable announce = takes.isEmpty()
        ? () -> log.info("Service {} consumes no devices any more: its {} binding(s) and its broker account go",
            cmd.service(), unfit.size())
        : () -> {
          log.warn("Service {}: binding(s) {} made while its new version rolled bind devices of a type it does"
              + " not consume: they go", cmd.service(), unfit.stream().map(Binding::id).toList());
          DeviceMetrics.bindingsDropped(unfit.size());
        };
    return withoutBindings(view, cmd.service(), unfit, takes.isEmpty(), cmd.replyTo(), announce);
  }

  /** {@code bindings} of {@code service} go; with {@code retire}, its broker account too; {@code announce} once they have. */
  private ReplyEffect<Event, RegistryView> withoutBindings(RegistryView view, String service, List<Binding> bindings,
      boolean retire, ActorRef<Done> replyTo, Runnable announce) {
    List<Event> deleted = new ArrayList<>(bindings.stream().<Event>map(b -> new BindingDeleted(b.id())).toList());
    if (retire && view.services().contains(service)) {
      deleted.add(new DeviceRegistry.ServiceRetired(service));
    }
    if (deleted.isEmpty()) {
      return Effect().reply(replyTo, Done.getInstance());
    }
    return Effect().persist(deleted)
        .thenRun(after -> {
          announce.run();
          changed(after);
        })
        .thenReply(replyTo, after -> Done.getInstance());
  }

  private ReplyEffect<Event, RegistryView> persist(Event event, ActorRef<DeviceRegistry.Reply> replyTo,
      Function<RegistryView, DeviceRegistry.Reply> reply, String logFormat, Object... logArgs) {
    return Effect().persist(event)
        .thenRun(after -> {
          log.info(logFormat, logArgs);
          changed(after);
        })
        .thenReply(replyTo, reply::apply);
  }

  private void changed(RegistryView view) {
    DeviceMetrics.registry(view);
    changes.tell(Topic.publish(new RegistryChanged(view.version())));
  }

  private ReplyEffect<Event, RegistryView> notFound(ActorRef<DeviceRegistry.Reply> replyTo, String id) {
    return refuse(replyTo, Refusal.NOT_FOUND, null, "device \"" + id + "\" does not exist");
  }

  private ReplyEffect<Event, RegistryView> refuse(ActorRef<DeviceRegistry.Reply> replyTo, Refusal refusal,
      String field, String detail) {
    return Effect().reply(replyTo, new Refused(refusal, field, detail));
  }
}
