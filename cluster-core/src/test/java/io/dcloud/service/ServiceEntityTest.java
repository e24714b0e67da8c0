package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.typesafe.config.Config;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service entity against an in-memory journal; what it tells environment entities (by id) and
 * its own looks are collected by the test, which answers for the environments.
 */
class ServiceEntityTest {
  private static final Config CONFIG = ServiceEntityFixtures.CONFIG;
  private static final ActorTestKit testKit = ActorTestKit.create("service-entity-test", CONFIG);
  private static final ImageRecipe RECIPE = ServiceEntityFixtures.RECIPE;
  private static final EnvironmentSpec SPEC = ServiceEntityFixtures.SPEC;

  /** What the entity told which environment. */
  private record Sent(String id, EnvironmentEntity.Command command) {}

  private final BlockingQueue<Sent> environments = new LinkedBlockingQueue<>();
  private final BlockingQueue<ServiceEntity.Command> ticks = new LinkedBlockingQueue<>();
  private TestProbe<ServiceIndex.Command> index;
  private EventSourcedBehaviorTestKit<ServiceEntity.Command, ServiceEntity.Event, ServiceState> entity;
  private String name;

  static {
    // The gauges register globally; without a registry behind it the global one measures nothing.
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    index = testKit.createTestProbe();
    name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    ServiceEntity.Wiring wiring = new ServiceEntity.Wiring(
        (id, command) -> environments.add(new Sent(id, command)), (n, tick) -> ticks.add(tick), index.getRef(),
        new ServiceEntity.Settings(Duration.ofMillis(100), JournalBackoff.fromConfig(CONFIG), Duration.ofSeconds(30)), Clock.systemUTC());
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), ServiceEntity.create(name, wiring));
  }

  private ServiceView create(int replicas) {
    var result = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Create(
        new ServiceDefinition(name, ServiceDefinition.Kind.APP, SPEC, RECIPE, 80, new ServiceDefinition.Readiness("/"), replicas, null),
        "alice", replyTo));
    return ((ServiceEntity.Ok) result.reply()).view();
  }

  /** The next {@code count} commands of class {@code type} the entity sent, skipping others. */
  private <T extends EnvironmentEntity.Command> List<Sent> next(Class<T> type, int count) throws InterruptedException {
    List<Sent> found = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (found.size() < count) {
      Sent sent = environments.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(sent).as("%d of %d %s sent", found.size(), count, type.getSimpleName()).isNotNull();
      if (type.isInstance(sent.command())) {
        found.add(sent);
      }
    }
    return found;
  }

  private static EnvironmentView view(String id, EnvironmentStatus status) {
    Instant at = Instant.now();
    return new EnvironmentView(id, "r", status, "n1", null, SPEC, RECIPE, List.of(), List.of(), List.of(), null, null,
        at, at, List.of(), "alice", List.of(), null, status == EnvironmentStatus.RUNNING);
  }

  private double gauge(String metric) {
    return Metrics.globalRegistry.get(metric).tag("service", name).gauge().value();
  }

  private ServiceState answer(String id, EnvironmentStatus status) {
    return entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.Ok(view(id, status)))).state();
  }

  @Test
  void creatingMakesTheReplicasAsEnvironmentsWithIdsThatRetriesCannotDouble() throws InterruptedException {
    ServiceView view = create(3);

    assertThat(view.version()).isEqualTo(1);
    assertThat(view.desiredReplicas()).isEqualTo(3);
    ServiceState state = entity.getState();
    List<Sent> creates = next(EnvironmentEntity.Create.class, 3);
    assertThat(creates).extracting(Sent::id)
        .containsExactly(state.replicaId(0), state.replicaId(1), state.replicaId(2))
        .doesNotHaveDuplicates();
    EnvironmentEntity.Create first = (EnvironmentEntity.Create) creates.get(0).command();
    assertThat(first.spec().name()).isEqualTo(name + "-0");
    assertThat(first.owner()).isEqualTo("alice");
    assertThat(view.replicas()).extracting(ServiceView.Replica::id).containsExactlyElementsOf(
        creates.stream().map(Sent::id).toList());
    assertThat(index.receiveMessage()).isEqualTo(new ServiceIndex.Register(name, "alice"));

    var again = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Create(
        new ServiceDefinition(name, ServiceDefinition.Kind.APP, SPEC, RECIPE, 80, null, 1, null), "bob", replyTo));
    assertThat(again.reply()).isInstanceOf(ServiceEntity.Conflict.class);
  }

  @Test
  void scalingUpAddsReplicasAndScalingDownDeletesTheNewestUntilTheyAreGone() throws InterruptedException {
    create(2);
    next(EnvironmentEntity.Create.class, 2);

    var up = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(4, "alice", replyTo));
    assertThat(((ServiceEntity.Ok) up.reply()).view().replicas()).hasSize(4);
    ServiceState state = up.state();
    assertThat(next(EnvironmentEntity.Create.class, 2)).extracting(Sent::id).containsExactly(state.replicaId(2), state.replicaId(3));

    var down = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(1, "alice", replyTo));
    assertThat(((ServiceEntity.Ok) down.reply()).view().replicas()).extracting(ServiceView.Replica::id)
        .containsExactly(state.replicaId(0));
    assertThat(next(EnvironmentEntity.Delete.class, 3)).extracting(Sent::id)
        .containsExactly(state.replicaId(3), state.replicaId(2), state.replicaId(1));

    ServiceState after = answer(state.replicaId(3), EnvironmentStatus.DELETED);
    assertThat(after.replica(state.replicaId(3))).isNull();
    assertThat(after.replicas()).hasSize(3);
  }

  @Test
  void aFailedReplicaIsDeletedAndReplacedByANewOne() throws InterruptedException {
    create(2);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 2);

    answer(state.replicaId(0), EnvironmentStatus.RUNNING);
    ServiceState after = answer(state.replicaId(1), EnvironmentStatus.FAILED);

    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(state.replicaId(1));
    assertThat(next(EnvironmentEntity.Create.class, 1).get(0).id()).isEqualTo(state.replicaId(2));
    assertThat(after.live()).extracting(ServiceState.Replica::id).containsExactly(state.replicaId(0), state.replicaId(2));
    var got = entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new);
    assertThat(((ServiceEntity.Ok) got.reply()).view().replicas().get(0).status()).isEqualTo("RUNNING");
    assertThat(((ServiceEntity.Ok) got.reply()).view().replicas().get(0).ready()).isTrue();
    assertThat(gauge("dcloud.service.replicas.desired")).isEqualTo(2);
    assertThat(gauge("dcloud.service.replicas.ready")).isEqualTo(1);
  }

  @Test
  void aReplicaStoppedByHandIsStartedAgainNotReplaced() throws InterruptedException {
    create(1);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 1);

    ServiceState after = answer(state.replicaId(0), EnvironmentStatus.STOPPED);

    assertThat(next(EnvironmentEntity.Start.class, 1).get(0).id()).isEqualTo(state.replicaId(0));
    assertThat(after.live()).extracting(ServiceState.Replica::id).containsExactly(state.replicaId(0));
  }

  @Test
  void theViewSaysWhereEachReplicaPublishesTheServicesPortSoAGatewayCanCallItDirectly() throws InterruptedException {
    create(2);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 2);
    PublishedPort service = new PublishedPort(80, "tcp", "127.0.0.1", 32801);
    Instant at = Instant.now();
    EnvironmentView running = new EnvironmentView(state.replicaId(0), "r", EnvironmentStatus.RUNNING, "n1", "c1", SPEC,
        RECIPE, List.of(), List.of(new PublishedPort(22, "tcp", "127.0.0.1", 32800), service), List.of(), null, null, at,
        at, List.of(), "alice", List.of(), null, true);
    entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.Ok(running)));
    answer(state.replicaId(1), EnvironmentStatus.STARTING);

    var got = entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new);
    List<ServiceView.Replica> replicas = ((ServiceEntity.Ok) got.reply()).view().replicas();
    assertThat(replicas.get(0).published()).isEqualTo(service);
    assertThat(replicas.get(0).node()).isEqualTo("n1");
    assertThat(replicas.get(1).published()).as("a replica not started publishes nothing yet").isNull();
  }

  /** As {@code dcloud env get} says why an environment waits, the service's view says it of its replica. */
  @Test
  void theViewSaysWhyAReplicaWaits() throws InterruptedException {
    create(2);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 2);
    Instant at = Instant.now();
    String why = "no node has room now: not enough free cpu (asks for 0.25 cores) on n1";
    EnvironmentView queued = new EnvironmentView(state.replicaId(0), "r", EnvironmentStatus.QUEUED, null, null, SPEC,
        RECIPE, List.of(), List.of(), List.of(), why, 1, at, at, List.of(), "alice", List.of(), null, false);
    entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.Ok(queued)));
    answer(state.replicaId(1), EnvironmentStatus.RUNNING);

    var got = entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new);
    assertThat(((ServiceEntity.Ok) got.reply()).view().environments()).as("as its owner's quota counts them").isEqualTo(2);
    List<ServiceView.Replica> replicas = ((ServiceEntity.Ok) got.reply()).view().replicas();
    assertThat(replicas).extracting(ServiceView.Replica::status, ServiceView.Replica::reason)
        .containsExactly(tuple("QUEUED", why), tuple("RUNNING", null));
  }

  @Test
  void afterARestartItAsksEveryReplicaAndCreatesOneThatWasRecordedButNeverMade() throws InterruptedException {
    create(2);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 2);
    environments.clear();

    entity.restart();
    ScheduledLooks.deliverUntilOneActs(ticks, environments, entity);

    assertThat(next(EnvironmentEntity.Get.class, 2)).extracting(Sent::id).containsExactly(state.replicaId(0), state.replicaId(1));
    entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.NotFound(state.replicaId(1))));
    Sent create = next(EnvironmentEntity.Create.class, 1).get(0);
    assertThat(create.id()).isEqualTo(state.replicaId(1));
    assertThat(((EnvironmentEntity.Create) create.command()).spec().name()).isEqualTo(name + "-1");
  }

  @Test
  void deletingDeletesEveryReplicaThenTheServiceWhoseNameIsFreeAgain() throws InterruptedException {
    create(2);
    ServiceState state = entity.getState();
    next(EnvironmentEntity.Create.class, 2);

    var deleting = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Delete("alice", replyTo));
    assertThat(((ServiceEntity.Ok) deleting.reply()).view().deleting()).isTrue();
    assertThat(next(EnvironmentEntity.Delete.class, 2)).extracting(Sent::id)
        .containsExactlyInAnyOrder(state.replicaId(0), state.replicaId(1));

    answer(state.replicaId(0), EnvironmentStatus.DELETED);
    var last = entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.NotFound(state.replicaId(1))));
    assertThat(last.events()).last().isInstanceOf(ServiceEntity.Deleted.class);
    assertThat(entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new).reply()).isInstanceOf(ServiceEntity.NotFound.class);
    index.fishForMessage(Duration.ofSeconds(5), m -> m.equals(new ServiceIndex.Unregister(name))
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

    assertThat(create(1).replicas()).hasSize(1);
    assertThat(entity.getState().replicaId(0)).isNotEqualTo(state.replicaId(0));
  }

  @Test
  void aServiceWithNoReplicaLeftIsGoneAtOnceAndItsDeleterHearsItIsBeingDeleted() {
    create(0);

    var deleted = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Delete("alice", replyTo));

    assertThat(deleted.events()).last().isInstanceOf(ServiceEntity.Deleted.class);
    ServiceView view = ((ServiceEntity.Ok) deleted.reply()).view();
    assertThat(view.deleting()).isTrue();
    assertThat(view.replicas()).isEmpty();
    assertThat(entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new).reply()).isInstanceOf(ServiceEntity.NotFound.class);
  }
}
