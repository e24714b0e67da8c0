package io.dcloud.serialization;

import io.dcloud.device.Binding;
import io.dcloud.device.BindingSlot;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceCommand;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.DeviceCommandsState;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.Location;
import io.dcloud.device.Reading;
import io.dcloud.device.RegistryChanged;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The device registry's and the controllers' commands' events, snapshots and messages, readings,
 * and services' definitions with bindings, for {@link GoldenSamples}.
 */
final class DeviceGoldenSamples {
  private DeviceGoldenSamples() {}

  static void add(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    SensorType thermometer = new SensorType("thermometer", SensorType.Kind.SENSOR,
        Map.of("temperature", new Field(FieldType.NUMBER, "°C", -40.0, 125.0), "door", new Field(FieldType.BOOLEAN, null, null, null)),
        Map.of(), "carol", at);
    SensorType valve = new SensorType("valve", SensorType.Kind.CONTROLLER,
        Map.of("position", new Field(FieldType.INTEGER, "%", 0.0, 100.0)),
        Map.of("open", new SensorType.CommandSpec(Map.of("percent", new Field(FieldType.INTEGER, "%", 0.0, 100.0))),
            "label", new SensorType.CommandSpec(Map.of("text", new Field(FieldType.STRING, null, null, null)))),
        "carol", at);
    Device sensor = new Device("t1", "thermometer", new Location("hq", "b1", "r1", null, null), Map.of("floor", "1"),
        true, "0123456789abcdef0123456789abcdef", "carol", at);
    Device controller = new Device("v1", "valve", new Location(null, null, null, 48.137, 11.575), Map.of(), false,
        "fedcba9876543210fedcba9876543210", "carol", at);
    Binding binding = new Binding("0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff", "greenhouse", "erin", List.of("t1", "v1"), at);
    List<BindingSlot> slots = List.of(new BindingSlot("thermometer", 1, 4), new BindingSlot("valve", 0, 1));
    registry(s, system, thermometer, valve, sensor, controller, binding, slots);
    commands(s, system, at);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("temperature", 21.5);
    values.put("door", true);
    values.put("label", "north");
    s.put("wire.device.Reading", new Reading("t1", "thermometer", at, at.plusMillis(120), values));
    servicesWithBindings(s, slots, at);
  }

  private static void registry(Map<String, Object> s, ActorSystem<?> system, SensorType thermometer, SensorType valve,
      Device sensor, Device controller, Binding binding, List<BindingSlot> slots) {
    s.put("device-registry-event.TypeRegistered", new DeviceRegistry.TypeRegistered(valve));
    s.put("device-registry-event.TypeDeleted", new DeviceRegistry.TypeDeleted("valve"));
    s.put("device-registry-event.DeviceRegistered", new DeviceRegistry.DeviceRegistered(sensor));
    s.put("device-registry-event.DeviceRegistered.by-coordinates", new DeviceRegistry.DeviceRegistered(controller));
    s.put("device-registry-event.DeviceEnabledChanged", new DeviceRegistry.DeviceEnabledChanged("t1", false));
    s.put("device-registry-event.DeviceDeleted", new DeviceRegistry.DeviceDeleted("t1", null));
    s.put("device-registry-event.DeviceDeleted.by", new DeviceRegistry.DeviceDeleted("t1", "carol"));
    s.put("device-registry-event.DeviceErased", new DeviceRegistry.DeviceErased("t1"));
    s.put("device-registry-event.CredentialsRotated",
        new DeviceRegistry.CredentialsRotated("t1", "00112233445566778899aabbccddeeff"));
    s.put("device-registry-event.BindingCreated", new DeviceRegistry.BindingCreated(binding));
    s.put("device-registry-event.BindingDeleted", new DeviceRegistry.BindingDeleted(binding.id()));
    RegistryView view = new RegistryView(9, Map.of("thermometer", thermometer, "valve", valve),
        Map.of("t1", sensor, "v1", controller), Map.of(binding.id(), binding));
    s.put("device-registry-snapshot.RegistryView", view);
    s.put("device-registry-snapshot.RegistryView.with-services", new RegistryView(10, view.types(), view.devices(),
        view.bindings(), java.util.Set.of("greenhouse"), Map.of()));
    s.put("device-registry-snapshot.RegistryView.erasing", new RegistryView(11, view.types(), Map.of("v1", controller),
        view.bindings(), java.util.Set.of("greenhouse"), Map.of("t1", "carol")));
    s.put("device-registry-event.ServiceDeclared", new DeviceRegistry.ServiceDeclared("greenhouse"));
    s.put("device-registry-event.ServiceRetired", new DeviceRegistry.ServiceRetired("greenhouse"));
    s.put("wire.device-registry.DeclareService", new DeviceRegistry.DeclareService("greenhouse", system.deadLetters()));
    s.put("wire.device-registry.ServiceConsumes", new DeviceRegistry.ServiceConsumes("greenhouse", slots, system.deadLetters()));
    s.put("wire.device-registry.ConsumptionChecked", new DeviceRegistry.ConsumptionChecked("greenhouse"));
    s.put("wire.device-registry.RegisterType", new DeviceRegistry.RegisterType(thermometer, system.deadLetters()));
    s.put("wire.device-registry.DeleteType", new DeviceRegistry.DeleteType("thermometer", system.deadLetters()));
    s.put("wire.device-registry.RegisterDevice", new DeviceRegistry.RegisterDevice(sensor, system.deadLetters()));
    s.put("wire.device-registry.SetEnabled", new DeviceRegistry.SetEnabled("t1", false, system.deadLetters()));
    s.put("wire.device-registry.DeleteDevice", new DeviceRegistry.DeleteDevice("t1", null, system.deadLetters()));
    s.put("wire.device-registry.DeleteDevice.by", new DeviceRegistry.DeleteDevice("t1", "carol", system.deadLetters()));
    s.put("wire.device-registry.RotateCredentials",
        new DeviceRegistry.RotateCredentials("t1", "00112233445566778899aabbccddeeff", system.deadLetters()));
    s.put("wire.device-registry.CreateBinding", new DeviceRegistry.CreateBinding(binding, slots, system.deadLetters()));
    s.put("wire.device-registry.DeleteBinding", new DeviceRegistry.DeleteBinding(binding.id(), system.deadLetters()));
    s.put("wire.device-registry.DeleteServiceBindings",
        new DeviceRegistry.DeleteServiceBindings("greenhouse", system.deadLetters()));
    s.put("wire.device-registry.ServiceVersionInPlace",
        new DeviceRegistry.ServiceVersionInPlace("greenhouse", slots, system.deadLetters()));
    s.put("wire.device-registry.GetView", new DeviceRegistry.GetView(system.deadLetters()));
    s.put("wire.device-registry.TypeDone", new DeviceRegistry.TypeDone(thermometer));
    s.put("wire.device-registry.DeviceDone", new DeviceRegistry.DeviceDone(controller));
    s.put("wire.device-registry.BindingDone", new DeviceRegistry.BindingDone(binding));
    s.put("wire.device-registry.Refused", new DeviceRegistry.Refused(DeviceRegistry.Refusal.INVALID, "devices",
        "device \"x\" does not exist"));
    s.put("wire.device-registry.Refused.no-field", new DeviceRegistry.Refused(DeviceRegistry.Refusal.NOT_FOUND, null,
        "device \"x\" does not exist"));
    s.put("wire.device.RegistryChanged", new RegistryChanged(9));
  }

  private static void commands(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    DeviceCommand pending = new DeviceCommand("c1", "v1", "open", "{\"percent\":50}", "carol", at,
        DeviceCommand.Status.PENDING, 0, null, null, null);
    DeviceCommand acked = new DeviceCommand("c0", "v1", "label", "{\"text\":\"north\"}", "service:greenhouse", at,
        DeviceCommand.Status.ACKED, 2, at.plusSeconds(5), at.plusSeconds(6), "done");
    s.put("device-commands-event.Issued", new DeviceCommands.Issued(pending));
    s.put("device-commands-event.Sent", new DeviceCommands.Sent("c1", at));
    s.put("device-commands-event.Answered", new DeviceCommands.Answered("c1", DeviceCommand.Status.REJECTED, at, "valve stuck"));
    s.put("device-commands-event.Answered.no-message",
        new DeviceCommands.Answered("c1", DeviceCommand.Status.EXPIRED, at, null));
    s.put("device-commands-snapshot.State", new DeviceCommandsState(List.of(pending, acked)));
    s.put("wire.device-commands.Issue", new DeviceCommands.Issue(pending, system.deadLetters()));
    s.put("wire.device-commands.Acknowledge", new DeviceCommands.Acknowledge("c1", true, null));
    s.put("wire.device-commands.ListCommands", new DeviceCommands.ListCommands(system.deadLetters()));
    s.put("wire.device-commands.Get", new DeviceCommands.Get("c1", system.deadLetters()));
    s.put("wire.device-commands.Redeliver", new DeviceCommands.Redeliver(42L));
    s.put("device-commands-event.Forgotten", new DeviceCommands.Forgotten("cora", at));
    s.put("wire.device-commands.Forget", new DeviceCommands.Forget("cora", system.deadLetters()));
    s.put("wire.device-commands.CommandList", new DeviceCommands.CommandList(List.of(pending, acked)));
    s.put("wire.device.DeviceCommand", acked);
  }

  private static void servicesWithBindings(Map<String, Object> s, List<BindingSlot> slots, Instant at) {
    ServiceDefinition definition = new ServiceDefinition("greenhouse", ServiceDefinition.Kind.APP, GoldenSamples.SPEC,
        GoldenSamples.RECIPE, 8080, new ServiceDefinition.Readiness("/ready"), 1, null, slots);
    s.put("service-event.Created.with-bindings",
        new ServiceEntity.Created(definition, "dave", "0b6f7a52-aaaa-4bbb-8ccc-ddddeeeeffff", at));
    s.put("wire.service.Ok.with-bindings", new ServiceEntity.Ok(new ServiceView("greenhouse", ServiceDefinition.Kind.APP,
        "dave", 1, 1, 8080, new ServiceDefinition.Readiness("/ready"),
        List.of(new ServiceView.Replica("5f0e3d1c-1111-3222-8333-444455556666", "n1", "RUNNING", true, 1)), false, null,
        slots)));
  }
}
