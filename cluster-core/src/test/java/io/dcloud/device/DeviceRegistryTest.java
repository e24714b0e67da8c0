package io.dcloud.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.DeviceRegistry.Refusal;
import io.dcloud.device.DeviceRegistry.Refused;
import io.dcloud.device.DeviceRegistry.Reply;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import io.dcloud.journal.JournalBackoff;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device registry against an in-memory journal; what it publishes goes to a probe standing for the topic. */
class DeviceRegistryTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.actor.serialize-messages = on
          dcloud.devices.erase-retry-interval = 100ms
          """))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("device-registry-test", CONFIG);
  private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
  private static final SensorType THERMOMETER = new SensorType("thermometer", SensorType.Kind.SENSOR,
      Map.of("temperature", new Field(FieldType.NUMBER, "°C", -40.0, 125.0)), Map.of(), "carol", AT);
  private static final SensorType VALVE = new SensorType("valve", SensorType.Kind.CONTROLLER, Map.of(),
      Map.of("open", new SensorType.CommandSpec(Map.of("percent", new Field(FieldType.INTEGER, "%", 0.0, 100.0)))),
      "carol", AT);
  private static final List<BindingSlot> SLOTS = List.of(new BindingSlot("thermometer", 1, 2), new BindingSlot("valve", 0, 1));

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  private TestProbe<Topic.Command<RegistryChanged>> changes;
  /** Each erasure the registry asked for, in order; the test decides how each ends. */
  private BlockingQueue<Erasure> erasures;
  private EventSourcedBehaviorTestKit<DeviceRegistry.Command, DeviceRegistry.Event, RegistryView> registry;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    // Every test starts from an empty registry: the singleton's persistence id is the same in each.
    PersistenceTestKit.create(testKit.system()).clearAll();
    SnapshotTestKit.create(testKit.system()).clearAll();
    changes = testKit.createTestProbe();
    erasures = new LinkedBlockingQueue<>();
    BlockingQueue<Erasure> asked = erasures;
    registry = EventSourcedBehaviorTestKit.create(testKit.system(),
        DeviceRegistry.create(JournalBackoff.fromConfig(CONFIG), changes.getRef(), (id, deletedBy) -> {
          Erasure erasure = new Erasure(id, deletedBy, new CompletableFuture<>());
          asked.add(erasure);
          return erasure.result();
        }));
  }

  private record Erasure(String id, String deletedBy, CompletableFuture<Done> result) {}

  private Erasure nextErasure() throws InterruptedException {
    Erasure erasure = erasures.poll(5, TimeUnit.SECONDS);
    assertThat(erasure).as("an erasure asked for").isNotNull();
    return erasure;
  }

  private void awaitErased(String id) {
    changes.awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(registry.getState().erasing()).as("devices being erased").doesNotContainKey(id);
      return null;
    });
  }

  private Reply run(Function<ActorRef<Reply>, DeviceRegistry.Command> command) {
    return registry.<Reply>runCommand(command::apply).reply();
  }

  private static Device device(String id, String type) {
    return new Device(id, type, new Location("hq", "b1", "r1", null, null), Map.of("floor", "1"), true,
        "nonce-" + id, "carol", AT);
  }

  private void registerTypesAndDevices(String... devices) {
    run(r -> new DeviceRegistry.RegisterType(THERMOMETER, r));
    run(r -> new DeviceRegistry.RegisterType(VALVE, r));
    for (String id : devices) {
      assertThat(run(r -> new DeviceRegistry.RegisterDevice(device(id, id.startsWith("v") ? "valve" : "thermometer"), r)))
          .isInstanceOf(DeviceRegistry.DeviceDone.class);
    }
  }

  private Reply bind(String id, String... devices) {
    return run(r -> new DeviceRegistry.CreateBinding(new Binding(id, "greenhouse", "erin", List.of(devices), AT), SLOTS, r));
  }

  private static void assertRefused(Reply reply, Refusal refusal, String field, String detailPart) {
    assertThat(reply).isInstanceOf(Refused.class);
    Refused refused = (Refused) reply;
    assertThat(refused.refusal()).isEqualTo(refusal);
    assertThat(refused.field()).isEqualTo(field);
    assertThat(refused.detail()).contains(detailPart);
  }

  @Test
  void registersATypeOnceAndAnswersAnIdenticalRegistrationWithTheExistingOne() {
    assertThat(run(r -> new DeviceRegistry.RegisterType(THERMOMETER, r))).isEqualTo(new DeviceRegistry.TypeDone(THERMOMETER));

    SensorType again = new SensorType("thermometer", SensorType.Kind.SENSOR, THERMOMETER.fields(), Map.of(), "dave",
        AT.plusSeconds(60));
    var retried = registry.<Reply>runCommand(r -> new DeviceRegistry.RegisterType(again, r));
    SensorType other = new SensorType("thermometer", SensorType.Kind.SENSOR,
        Map.of("humidity", new Field(FieldType.NUMBER, "%", 0.0, 100.0)), Map.of(), "carol", AT);

    assertThat(retried.reply()).isEqualTo(new DeviceRegistry.TypeDone(THERMOMETER));
    assertThat(retried.hasNoEvents()).isTrue();
    assertRefused(run(r -> new DeviceRegistry.RegisterType(other, r)), Refusal.CONFLICT, "name", "already exists");
    assertThat(registry.getState().types()).containsOnlyKeys("thermometer");
  }

  @Test
  void aTypeGoesOnlyOnceNoDeviceUsesIt() {
    registerTypesAndDevices("t1");

    assertRefused(run(r -> new DeviceRegistry.DeleteType("thermometer", r)), Refusal.CONFLICT, null, "\"t1\"");
    assertRefused(run(r -> new DeviceRegistry.DeleteType("barometer", r)), Refusal.NOT_FOUND, null, "barometer");
    run(r -> new DeviceRegistry.DeleteDevice("t1", "carol", r));
    assertThat(run(r -> new DeviceRegistry.DeleteType("thermometer", r))).isEqualTo(new DeviceRegistry.TypeDone(THERMOMETER));
    assertThat(registry.getState().types()).containsOnlyKeys("valve");
  }

  @Test
  void aDeviceNeedsAnExistingTypeAndAnUnusedId() {
    registerTypesAndDevices("t1");

    assertRefused(run(r -> new DeviceRegistry.RegisterDevice(device("b1", "barometer"), r)), Refusal.INVALID, "type",
        "\"barometer\" does not exist");
    assertRefused(run(r -> new DeviceRegistry.RegisterDevice(device("t1", "valve"), r)), Refusal.CONFLICT, "id",
        "already exists");
    assertThat(registry.getState().devices()).containsOnlyKeys("t1");
    assertThat(registry.getState().devices().get("t1").type()).isEqualTo("thermometer");
  }

  @Test
  void aDeletedDevicesIdIsFreeAgainOnlyOnceWhatItLeftIsErased() throws Exception {
    registerTypesAndDevices("t1");

    run(r -> new DeviceRegistry.DeleteDevice("t1", "carol", r));
    Erasure erasure = nextErasure();

    assertThat(erasure.id()).isEqualTo("t1");
    assertThat(erasure.deletedBy()).isEqualTo("carol");
    assertThat(registry.getState().erasing()).containsEntry("t1", "carol");
    assertRefused(run(r -> new DeviceRegistry.RegisterDevice(device("t1", "thermometer"), r)), Refusal.CONFLICT, "id",
        "still being erased");
    erasure.result().complete(Done.getInstance());
    awaitErased("t1");
    assertThat(run(r -> new DeviceRegistry.RegisterDevice(device("t1", "thermometer"), r)))
        .isInstanceOf(DeviceRegistry.DeviceDone.class);
    assertThat(PersistenceTestKit.create(testKit.system()).persistedInStorage(DeviceRegistry.PERSISTENCE_ID.id()))
        .contains(new DeviceRegistry.DeviceDeleted("t1", "carol"), new DeviceRegistry.DeviceErased("t1"));
    assertThat(erasures).as("nothing erased twice").isEmpty();
  }

  @Test
  void aFailedErasureIsTriedAgainUntilItSucceeds() throws Exception {
    registerTypesAndDevices("v1");
    run(r -> new DeviceRegistry.DeleteDevice("v1", "carol", r));

    nextErasure().result().completeExceptionally(new IllegalStateException("Cassandra unavailable"));
    Erasure again = nextErasure();
    assertThat(registry.getState().erasing()).containsKey("v1");
    again.result().complete(Done.getInstance());

    awaitErased("v1");
    assertThat(again.id()).isEqualTo("v1");
  }

  /** The erasures owed are in the registry's state: a registry that restarted (or moved) starts them again. */
  @Test
  void anErasureOwedIsStartedAgainAfterARestart() throws Exception {
    registerTypesAndDevices("t1", "t2");
    run(r -> new DeviceRegistry.DeleteDevice("t1", "carol", r));
    run(r -> new DeviceRegistry.DeleteDevice("t2", "dave", r));
    nextErasure().result().complete(Done.getInstance());
    awaitErased("t1");
    Erasure unanswered = nextErasure();
    assertThat(unanswered.id()).isEqualTo("t2");

    registry.restart();

    Erasure restarted = nextErasure();
    assertThat(restarted.id()).isEqualTo("t2");
    assertThat(restarted.deletedBy()).isEqualTo("dave");
    restarted.result().complete(Done.getInstance());
    awaitErased("t2");
    assertThat(erasures).as("t1, erased before the restart, not again").isEmpty();
  }

  /**
   * A journal from before erasures were recorded: its deletions (who deleted unknown) are erased once
   * the registry recovers, but not that of an id registered again since: that would erase the new device's.
   */
  @Test
  void deletionsRecordedBeforeErasuresAreErasedUnlessTheIdWasRegisteredAgain() throws Exception {
    PersistenceTestKit.create(testKit.system()).persistForRecovery(DeviceRegistry.PERSISTENCE_ID.id(), List.of(
        new DeviceRegistry.TypeRegistered(THERMOMETER),
        new DeviceRegistry.DeviceRegistered(device("t1", "thermometer")),
        new DeviceRegistry.DeviceRegistered(device("t2", "thermometer")),
        new DeviceRegistry.DeviceDeleted("t1", null),
        new DeviceRegistry.DeviceDeleted("t2", null),
        new DeviceRegistry.DeviceRegistered(device("t1", "thermometer"))));

    registry.restart();

    Erasure erasure = nextErasure();
    assertThat(erasure.id()).isEqualTo("t2");
    assertThat(erasure.deletedBy()).isEqualTo("unknown");
    assertThat(registry.getState().erasing()).containsOnlyKeys("t2");
    assertThat(registry.getState().devices()).containsOnlyKeys("t1");
    // The registry of setUp may have recovered these events too (and asked for t2 then): t2 only, never t1.
    for (Erasure more = erasures.poll(300, TimeUnit.MILLISECONDS); more != null; more = erasures.poll(300, TimeUnit.MILLISECONDS)) {
      assertThat(more.id()).as("t1 registered again: not erased").isEqualTo("t2");
    }
  }

  @Test
  void disablesEnablesAndRotatesKnownDevicesOnly() {
    registerTypesAndDevices("t1");

    var disabled = (DeviceRegistry.DeviceDone) run(r -> new DeviceRegistry.SetEnabled("t1", false, r));
    var rotated = (DeviceRegistry.DeviceDone) run(r -> new DeviceRegistry.RotateCredentials("t1", "second", r));
    var again = registry.<Reply>runCommand(r -> new DeviceRegistry.SetEnabled("t1", false, r));

    assertThat(disabled.device().enabled()).isFalse();
    assertThat(rotated.device().credentialNonce()).isEqualTo("second");
    assertThat(rotated.device().enabled()).isFalse();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(registry.getState().devices().get("t1")).isEqualTo(rotated.device());
    assertRefused(run(r -> new DeviceRegistry.SetEnabled("nope", true, r)), Refusal.NOT_FOUND, null, "\"nope\"");
    assertRefused(run(r -> new DeviceRegistry.RotateCredentials("nope", "n", r)), Refusal.NOT_FOUND, null, "\"nope\"");
    assertRefused(run(r -> new DeviceRegistry.DeleteDevice("nope", "carol", r)), Refusal.NOT_FOUND, null, "\"nope\"");
  }

  @Test
  void bindsExistingEnabledDevicesOfDeclaredTypesInDeclaredCounts() {
    registerTypesAndDevices("t1", "t2", "t3", "v1", "v2");

    Reply made = bind("b1", "t1", "v1");

    assertThat(made).isEqualTo(new DeviceRegistry.BindingDone(new Binding("b1", "greenhouse", "erin", List.of("t1", "v1"), AT)));
    assertThat(registry.getState().bindingsOf("greenhouse")).extracting(Binding::id).containsExactly("b1");
    assertRefused(bind("b1", "t2"), Refusal.CONFLICT, "id", "\"b1\" already exists");
    assertRefused(bind("b2", "t2", "x9"), Refusal.INVALID, "devices", "device \"x9\" does not exist");
    assertRefused(bind("b2", "t1", "t2", "t3"), Refusal.INVALID, "devices",
        "type \"thermometer\": the binding has 3 of its devices; service \"greenhouse\" takes 1 to 2");
    assertRefused(bind("b2", "v1"), Refusal.INVALID, "devices", "type \"thermometer\": the binding has 0");
    assertRefused(bind("b2", "t2", "v1", "v2"), Refusal.INVALID, "devices", "type \"valve\": the binding has 2");
    assertRefused(bind("b2", "t2", "t2"), Refusal.INVALID, "devices", "device \"t2\" is listed twice");
    run(r -> new DeviceRegistry.SetEnabled("t2", false, r));
    assertRefused(bind("b2", "t2"), Refusal.INVALID, "devices", "device \"t2\" is disabled");
    assertThat(registry.getState().bindings()).containsOnlyKeys("b1");
  }

  @Test
  void aControllerIsBoundToAServiceThroughOneBindingWhileSensorsMayBeSharedAndOtherServicesBindItToo() {
    registerTypesAndDevices("t1", "t2", "v1");
    assertThat(bind("first", "t1", "v1")).isInstanceOf(DeviceRegistry.BindingDone.class);

    Reply mine = bind("second", "t2", "v1");
    Reply anothers = run(r -> new DeviceRegistry.CreateBinding(
        new Binding("third", "greenhouse", "frank", List.of("t1", "v1"), AT), SLOTS, r));
    Reply sensorShared = bind("fourth", "t1");
    Reply otherService = run(r -> new DeviceRegistry.CreateBinding(
        new Binding("fifth", "irrigation", "frank", List.of("t1", "v1"), AT), SLOTS, r));

    assertRefused(mine, Refusal.CONFLICT, "devices",
        "controller \"v1\" is already bound to service \"greenhouse\" by binding first");
    assertRefused(anothers, Refusal.CONFLICT, "devices", "by another user's binding: a service commands a controller");
    assertThat(((Refused) anothers).detail()).doesNotContain("first");
    assertThat(sensorShared).isInstanceOf(DeviceRegistry.BindingDone.class);
    assertThat(otherService).isInstanceOf(DeviceRegistry.BindingDone.class);
    assertRefused(run(r -> new DeviceRegistry.CreateBinding(
            new Binding("sixth", "irrigation", "frank", List.of("t2", "v1"), AT), SLOTS, r)),
        Refusal.CONFLICT, "devices", "by binding fifth");
    run(r -> new DeviceRegistry.DeleteBinding("first", r));
    assertThat(bind("second", "t2", "v1")).as("once the first is gone").isInstanceOf(DeviceRegistry.BindingDone.class);
  }

  @Test
  void refusesDevicesOfTypesTheServiceDoesNotTake() {
    registerTypesAndDevices("t1", "v1");

    Reply refused = run(r -> new DeviceRegistry.CreateBinding(
        new Binding("b1", "greenhouse", "erin", List.of("t1", "v1"), AT), List.of(new BindingSlot("thermometer", 1, 2)), r));
    Reply none = run(r -> new DeviceRegistry.CreateBinding(
        new Binding("b1", "greenhouse", "erin", List.of(), AT), List.of(new BindingSlot("valve", 0, 2)), r));

    assertRefused(refused, Refusal.INVALID, "devices",
        "device \"v1\" is of type \"valve\", which service \"greenhouse\" does not take (it takes: thermometer)");
    assertRefused(none, Refusal.INVALID, "devices", "at least one device");
  }

  @Test
  void aDeletedDeviceLeavesItsBindingsAndABindingLeftEmptyGoes() {
    registerTypesAndDevices("t1", "t2", "v1");
    bind("both", "t1", "t2");
    bind("one", "t1", "v1");
    bind("other", "t2");

    run(r -> new DeviceRegistry.DeleteDevice("t1", "carol", r));
    run(r -> new DeviceRegistry.DeleteDevice("t2", "carol", r));

    RegistryView view = registry.getState();
    assertThat(view.devices()).containsOnlyKeys("v1");
    assertThat(view.bindings()).containsOnlyKeys("one");
    assertThat(view.bindings().get("one").devices()).containsExactly("v1");
  }

  @Test
  void deletesABindingAndAllOfAService() {
    registerTypesAndDevices("t1", "t2");
    bind("b1", "t1");
    bind("b2", "t2");
    run(r -> new DeviceRegistry.CreateBinding(new Binding("b3", "office", "erin", List.of("t1"), AT), SLOTS, r));

    Reply deleted = run(r -> new DeviceRegistry.DeleteBinding("b1", r));
    assertRefused(run(r -> new DeviceRegistry.DeleteBinding("b1", r)), Refusal.NOT_FOUND, null, "\"b1\"");
    var all = registry.<Done>runCommand(r -> new DeviceRegistry.DeleteServiceBindings("greenhouse", r));
    var none = registry.<Done>runCommand(r -> new DeviceRegistry.DeleteServiceBindings("greenhouse", r));

    assertThat(deleted).isEqualTo(new DeviceRegistry.BindingDone(new Binding("b1", "greenhouse", "erin", List.of("t1"), AT)));
    assertThat(all.events()).containsExactly(new DeviceRegistry.BindingDeleted("b2"));
    assertThat(none.reply()).isEqualTo(Done.getInstance());
    assertThat(none.hasNoEvents()).isTrue();
    assertThat(registry.getState().bindings()).containsOnlyKeys("b3");
  }

  @Test
  void aServiceDeclaredOnceKeepsItsAccountUntilItIsDeleted() {
    var declared = registry.<Done>runCommand(r -> new DeviceRegistry.DeclareService("greenhouse", r));
    var again = registry.<Done>runCommand(r -> new DeviceRegistry.DeclareService("greenhouse", r));
    assertThat(declared.events()).containsExactly(new DeviceRegistry.ServiceDeclared("greenhouse"));
    assertThat(again.hasNoEvents()).as("idempotent").isTrue();
    assertThat(registry.getState().services()).containsExactly("greenhouse");

    var deleted = registry.<Done>runCommand(r -> new DeviceRegistry.DeleteServiceBindings("greenhouse", r));
    assertThat(deleted.events()).containsExactly(new DeviceRegistry.ServiceRetired("greenhouse"));
    assertThat(registry.getState().services()).isEmpty();
  }

  /**
   * A new version of the service's app that no longer consumes a type is refused while a binding binds
   * a device of it; one that consumes devices has its account declared; the bindings it keeps fit it.
   */
  @Test
  void aNewVersionIsRefusedWhileABindingBindsATypeItNoLongerConsumes() {
    registerTypesAndDevices("t1", "v1");
    bind("b1", "t1", "v1");

    Reply withoutValves = run(r -> new DeviceRegistry.ServiceConsumes("greenhouse",
        List.of(new BindingSlot("thermometer", 1, 2)), r));
    Reply withoutAny = run(r -> new DeviceRegistry.ServiceConsumes("greenhouse", List.of(), r));
    var same = registry.<Reply>runCommand(r -> new DeviceRegistry.ServiceConsumes("greenhouse", SLOTS, r));

    assertRefused(withoutValves, Refusal.CONFLICT, "bindings",
        "binding b1 binds device \"v1\" of type \"valve\", which this version of service \"greenhouse\" does not consume:"
            + " unbind it first (DELETE /services/greenhouse/bindings/b1)");
    assertRefused(withoutAny, Refusal.CONFLICT, "bindings", "binding b1 binds device \"t1\"");
    assertThat(same.reply()).isEqualTo(new DeviceRegistry.ConsumptionChecked("greenhouse"));
    assertThat(same.events()).as("its account, declared").containsExactly(new DeviceRegistry.ServiceDeclared("greenhouse"));

    run(r -> new DeviceRegistry.DeleteBinding("b1", r));
    var none = registry.<Reply>runCommand(r -> new DeviceRegistry.ServiceConsumes("greenhouse", List.of(), r));
    assertThat(none.reply()).isEqualTo(new DeviceRegistry.ConsumptionChecked("greenhouse"));
    assertThat(none.hasNoEvents()).as("its account goes once the version is in place (ServiceVersionInPlace)").isTrue();
  }

  /**
   * A binding made between a new version's check and its rollout, against the old version's types,
   * goes once the version is in place; one that fits it stays; a version consuming nothing takes all
   * and the account.
   */
  @Test
  void aBindingMadeWhileANewVersionRolledGoesWhenItBindsWhatTheVersionDoesNotConsume() {
    registerTypesAndDevices("t1", "t2", "v1");
    bind("fits", "t1");
    List<BindingSlot> withoutValves = List.of(new BindingSlot("thermometer", 1, 2));
    assertThat(run(r -> new DeviceRegistry.ServiceConsumes("greenhouse", withoutValves, r)))
        .isEqualTo(new DeviceRegistry.ConsumptionChecked("greenhouse"));
    assertThat(bind("meanwhile", "t2", "v1")).as("made with the old version's slots").isInstanceOf(DeviceRegistry.BindingDone.class);

    double droppedBefore = dropped();

    var inPlace = registry.<Done>runCommand(r -> new DeviceRegistry.ServiceVersionInPlace("greenhouse", withoutValves, r));
    var again = registry.<Done>runCommand(r -> new DeviceRegistry.ServiceVersionInPlace("greenhouse", withoutValves, r));

    assertThat(inPlace.events()).containsExactly(new DeviceRegistry.BindingDeleted("meanwhile"));
    assertThat(dropped() - droppedBefore).as("dcloud_device_bindings_dropped_total").isEqualTo(1.0);
    assertThat(Metrics.globalRegistry.get("dcloud.device.registry.bindings").gauge().value()).isEqualTo(1.0);
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(registry.getState().bindings()).containsOnlyKeys("fits");
    assertThat(registry.getState().services()).as("it still consumes thermometers").contains("greenhouse");

    var nothing = registry.<Done>runCommand(r -> new DeviceRegistry.ServiceVersionInPlace("greenhouse", List.of(), r));
    assertThat(nothing.events()).containsExactly(
        new DeviceRegistry.BindingDeleted("fits"), new DeviceRegistry.ServiceRetired("greenhouse"));
  }

  private static double dropped() {
    var counter = Metrics.globalRegistry.find("dcloud.device.bindings.dropped").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void publishesEachChangeWithItsVersionAndAnswersTheView() {
    run(r -> new DeviceRegistry.RegisterType(THERMOMETER, r));
    run(r -> new DeviceRegistry.RegisterDevice(device("t1", "thermometer"), r));
    run(r -> new DeviceRegistry.RegisterDevice(device("t1", "thermometer"), r));
    run(r -> new DeviceRegistry.SetEnabled("t1", false, r));

    changes.expectMessage(Topic.publish(new RegistryChanged(1)));
    changes.expectMessage(Topic.publish(new RegistryChanged(2)));
    changes.expectMessage(Topic.publish(new RegistryChanged(3)));
    RegistryView view = registry.<RegistryView>runCommand(DeviceRegistry.GetView::new).reply();
    assertThat(view.version()).isEqualTo(3);
    assertThat(view.devices().get("t1").enabled()).isFalse();
    assertThat(Metrics.globalRegistry.get("dcloud.device.registry.devices").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void recoveryRestoresTheViewPastSnapshotsAndTellsItsVersion() {
    registerTypesAndDevices("v1");
    for (int i = 0; i < 150; i++) {
      String id = "t" + i;
      run(r -> new DeviceRegistry.RegisterDevice(device(id, "thermometer"), r));
    }
    bind("b1", "t1", "v1");
    run(r -> new DeviceRegistry.DeleteDevice("t7", "carol", r));
    RegistryView before = registry.getState();
    changes.receiveSeveralMessages((int) before.version());

    registry.restart();

    assertThat(registry.getState()).isEqualTo(before);
    assertThat(before.version()).isEqualTo(2 + 1 + 150 + 1 + 1);
    assertThat(before.devices()).hasSize(150);
    changes.expectMessage(Topic.publish(new RegistryChanged(before.version())));
  }
}
