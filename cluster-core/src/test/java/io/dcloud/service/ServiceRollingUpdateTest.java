package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.spec.EnvironmentSpec;
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
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling updates and live batching of the service entity, against an in-memory journal; the test
 * answers for the replicas' environments (what they said decides what is ready).
 */
class ServiceRollingUpdateTest {
  private static final Config CONFIG = ServiceEntityFixtures.CONFIG;
  private static final ActorTestKit testKit = ActorTestKit.create("service-rolling-update-test", CONFIG);
  private static final ImageRecipe V1 = ServiceEntityFixtures.RECIPE;
  private static final ImageRecipe V2 = new ImageRecipe("dcloud/env-tiny:fedcba9876543210", "busybox", "FROM busybox\n#2\n");
  private static final ImageRecipe V3 = new ImageRecipe("dcloud/env-tiny:00112233aabbccdd", "busybox", "FROM busybox\n#3\n");
  private static final EnvironmentSpec SPEC = ServiceEntityFixtures.SPEC;

  private record Sent(String id, EnvironmentEntity.Command command) {}

  private final BlockingQueue<Sent> environments = new LinkedBlockingQueue<>();
  private final BlockingQueue<ServiceEntity.Command> ticks = new LinkedBlockingQueue<>();
  private EventSourcedBehaviorTestKit<ServiceEntity.Command, ServiceEntity.Event, ServiceState> entity;
  private String name;

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    ServiceEntity.Wiring wiring = new ServiceEntity.Wiring(
        (id, command) -> environments.add(new Sent(id, command)), (n, tick) -> ticks.add(tick),
        testKit.<ServiceIndex.Command>createTestProbe().getRef(),
        new ServiceEntity.Settings(Duration.ofMillis(100), JournalBackoff.fromConfig(CONFIG), Duration.ofSeconds(30)), Clock.systemUTC());
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), ServiceEntity.create(name, wiring));
  }

  private ServiceDefinition definition(ServiceDefinition.Kind kind, ImageRecipe recipe, int replicas) {
    return new ServiceDefinition(name, kind, SPEC, recipe, 80, new ServiceDefinition.Readiness("/"), replicas, null);
  }

  /** A service of {@code replicas} of V1, every one created and ready; its state then. */
  private ServiceState readyService(ServiceDefinition.Kind kind, int replicas) throws InterruptedException {
    entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Create(definition(kind, V1, replicas), "alice", replyTo));
    for (Sent create : next(EnvironmentEntity.Create.class, replicas)) {
      answer(create.id(), true);
    }
    return entity.getState();
  }

  private ServiceEntity.Reply update(ImageRecipe recipe, int replicas) {
    return entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        definition(ServiceDefinition.Kind.APP, recipe, replicas), "alice", replyTo)).reply();
  }

  private ServiceState answer(String id, boolean ready) {
    return answer(id, ready ? EnvironmentStatus.RUNNING : EnvironmentStatus.STARTING, ready);
  }

  /** A retired replica's environment is deleted: the room it held is free. */
  private ServiceState gone(String id) {
    return answer(id, EnvironmentStatus.DELETED, false);
  }

  private ServiceState answer(String id, EnvironmentStatus status, boolean ready) {
    EnvironmentView view = new EnvironmentView(id, "r", status, "n1", null, SPEC, V1, List.of(), List.of(), List.of(),
        null, null, Instant.now(), Instant.now(), List.of(), "alice", List.of(), null, ready);
    return entity.runCommand(new ServiceEntity.ReplicaAnswer(new EnvironmentEntity.Ok(view))).state();
  }

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

  /** What was sent so far, without waiting: the entity tells environments right after it persists. */
  private List<Sent> sentSoFar() {
    List<Sent> sent = new ArrayList<>();
    environments.drainTo(sent);
    return sent;
  }

  private static List<Integer> versions(ServiceState state) {
    return state.live().stream().map(ServiceState.Replica::runs).toList();
  }

  @Test
  void anUpdateAddsOneNewReplicaAtATimeAndRetiresAnOldOneOnlyOnceANewOneIsReady() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    String r0 = before.replicaId(0);
    String r1 = before.replicaId(1);

    ServiceView rolling = ((ServiceEntity.Ok) update(V2, 2)).view();

    assertThat(rolling.version()).isEqualTo(2);
    assertThat(rolling.replicas()).extracting(ServiceView.Replica::version).containsExactly(1, 1, 2);
    String r2 = before.replicaId(2);
    Sent create = next(EnvironmentEntity.Create.class, 1).get(0);
    assertThat(create.id()).isEqualTo(r2);
    assertThat(((EnvironmentEntity.Create) create.command()).recipe()).isEqualTo(V2);

    ServiceState starting = answer(r2, false);
    assertThat(starting.live()).hasSize(3);
    assertThat(sentSoFar()).as("nothing retired or added while the new one is not ready").isEmpty();

    ServiceState oneReady = answer(r2, true);
    assertThat(oneReady.replica(r1).retiring()).isTrue();
    assertThat(oneReady.replica(r0).retiring()).isFalse();
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(r1);
    assertThat(sentSoFar()).as("the next one waits until the retired one is gone: never more than 3").isEmpty();
    assertThat(versions(oneReady)).containsExactly(1, 2);
    String r3 = before.replicaId(3);
    ServiceState r1Gone = gone(r1);
    assertThat(next(EnvironmentEntity.Create.class, 1).get(0).id()).isEqualTo(r3);
    assertThat(versions(r1Gone)).containsExactly(1, 2, 2);

    ServiceState done = answer(r3, true);
    assertThat(done.replica(r0).retiring()).isTrue();
    assertThat(done.outdated()).isEmpty();
    assertThat(versions(done)).containsExactly(2, 2);
    ServiceView view = ((ServiceEntity.Ok) entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new).reply()).view();
    assertThat(view.replicas()).extracting(ServiceView.Replica::id).containsExactly(r2, r3);
    assertThat(view.replicas()).extracting(ServiceView.Replica::version).containsExactly(2, 2);
  }

  /** The same definition again is nothing; as a restart it is a new version that replaces every replica. */
  @Test
  void aRestartRollsTheSameDefinitionAsANewVersion() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    ServiceDefinition same = definition(ServiceDefinition.Kind.APP, V1, 2);
    assertThat(((ServiceEntity.Ok) update(V1, 2)).view().version()).as("applied again: no new version").isEqualTo(1);
    assertThat(sentSoFar()).isEmpty();

    ServiceView restarting = ((ServiceEntity.Ok) entity.<ServiceEntity.Reply>runCommand(replyTo ->
        new ServiceEntity.Update(same, "alice", replyTo, null, true)).reply()).view();

    assertThat(restarting.version()).isEqualTo(2);
    assertThat(restarting.replicas()).extracting(ServiceView.Replica::version).containsExactly(1, 1, 2);
    Sent create = next(EnvironmentEntity.Create.class, 1).get(0);
    assertThat(create.id()).as("a new replica, not one of the old").isEqualTo(before.replicaId(2));
    assertThat(((EnvironmentEntity.Create) create.command()).recipe()).as("of the same image").isEqualTo(V1);
  }

  @Test
  void withoutASurgeAnOldReplicaIsDeletedBeforeItsReplacementIsMade() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    String r0 = before.replicaId(0);
    String r1 = before.replicaId(1);

    var rolling = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        withoutSurge(definition(ServiceDefinition.Kind.APP, V2, 2)), "alice", replyTo));

    assertThat(((ServiceEntity.Ok) rolling.reply()).view().surge()).isZero();
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).as("the newest old one").isEqualTo(r1);
    assertThat(sentSoFar()).as("nothing made while it is being deleted").isEmpty();
    assertThat(rolling.state().replicas()).hasSize(2);
    answer(r0, true);
    assertThat(sentSoFar()).as("nor when the other old one answers meanwhile").isEmpty();
    gone(r1);
    String r2 = next(EnvironmentEntity.Create.class, 1).get(0).id();
    ServiceState starting = answer(r2, false);
    assertThat(versions(starting)).containsExactly(1, 2);
    assertThat(sentSoFar()).as("the next old one stays while the new one is not ready").isEmpty();
    answer(r2, true);
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(r0);
    gone(r0);
    String r3 = next(EnvironmentEntity.Create.class, 1).get(0).id();
    ServiceState done = answer(r3, true);

    assertThat(done.outdated()).isEmpty();
    assertThat(done.replicas()).extracting(ServiceState.Replica::id).containsExactly(r2, r3);
    assertThat(sentSoFar()).isEmpty();
  }

  @Test
  void aScaleUpWhileAnOldReplicaIsBeingDeletedMakesNoMoreThanTheNewCount() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        withoutSurge(definition(ServiceDefinition.Kind.APP, V2, 2)), "alice", replyTo));
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(1));

    var scaled = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(3, "alice", replyTo));

    assertThat(next(EnvironmentEntity.Create.class, 1)).hasSize(1);
    assertThat(sentSoFar()).as("three environments, the one being deleted among them").isEmpty();
    assertThat(scaled.state().replicas()).hasSize(3);
    gone(before.replicaId(1));
    assertThat(next(EnvironmentEntity.Create.class, 1)).as("its room taken by the third").hasSize(1);
    assertThat(entity.getState().replicas()).hasSize(3);
  }

  @Test
  void anUpdateThatWouldRollWithASurgeTheQuotaHasNoRoomForIsRefusedAndChangesNothing() throws InterruptedException {
    readyService(ServiceDefinition.Kind.APP, 2);
    sentSoFar();

    var refused = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        definition(ServiceDefinition.Kind.APP, V2, 2), "alice", replyTo, true));
    var same = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        definition(ServiceDefinition.Kind.APP, V1, 2), "alice", replyTo, true));
    var withoutSurge = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        withoutSurge(definition(ServiceDefinition.Kind.APP, V2, 2)), "alice", replyTo, true));

    assertThat(refused.reply()).isEqualTo(new ServiceEntity.SurgeRefused(1));
    assertThat(refused.events()).isEmpty();
    assertThat(((ServiceEntity.Ok) same.reply()).view().version()).as("nothing to roll: no surge").isEqualTo(1);
    assertThat(((ServiceEntity.Ok) withoutSurge.reply()).view().version()).isEqualTo(2);
    assertThat(next(EnvironmentEntity.Delete.class, 1)).hasSize(1);
  }

  @Test
  void aChangeOfTheSurgeAloneReplacesNoReplicaAndTheNextRollFollowsIt() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    sentSoFar();

    var changed = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        withoutSurge(definition(ServiceDefinition.Kind.APP, V1, 2)), "alice", replyTo, true));

    assertThat(changed.events()).containsExactly(new ServiceEntity.SurgeChanged(0, "alice",
        ((ServiceEntity.SurgeChanged) changed.events().get(0)).at()));
    ServiceView view = ((ServiceEntity.Ok) changed.reply()).view();
    assertThat(view.version()).isEqualTo(1);
    assertThat(view.surge()).isZero();
    assertThat(sentSoFar()).as("no replica replaced").isEmpty();
    entity.restart();
    assertThat(entity.getState().definition().rollingSurge()).isZero();

    // The next version (its definition's surge left out: the default) rolls with one more at a time again.
    update(V2, 2);
    assertThat(next(EnvironmentEntity.Create.class, 1).get(0).id()).isEqualTo(before.replicaId(2));
  }

  @Test
  void aDefinitionThatChangesOnlyTheReplicaCountScalesWithoutANewVersion() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    sentSoFar();

    ServiceView scaled = ((ServiceEntity.Ok) update(V1, 3)).view();

    assertThat(scaled.version()).isEqualTo(1);
    assertThat(scaled.desiredReplicas()).isEqualTo(3);
    assertThat(next(EnvironmentEntity.Create.class, 1).get(0).id()).isEqualTo(before.replicaId(2));
    assertThat(versions(entity.getState())).containsExactly(1, 1, 1);
    var defined = entity.<ServiceEntity.Reply>runCommand(ServiceEntity.GetDefinition::new).reply();
    assertThat(((ServiceEntity.Defined) defined).replicas()).isEqualTo(3);
  }

  private static ServiceDefinition withoutSurge(ServiceDefinition d) {
    return new ServiceDefinition(d.name(), d.kind(), d.spec(), d.recipe(), d.port(), d.readiness(), d.replicas(),
        d.batching(), d.bindings(), 0);
  }

  @Test
  void anUpdateThatChangesNothingButBatchingIsNoNewVersion() throws InterruptedException {
    readyService(ServiceDefinition.Kind.APP, 1);
    sentSoFar();

    var same = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        definition(ServiceDefinition.Kind.APP, V1, 1).withBatching(new ServiceDefinition.Batching(4, 5)), "alice", replyTo));

    assertThat(same.events()).isEmpty();
    assertThat(((ServiceEntity.Ok) same.reply()).view().version()).isEqualTo(1);
    assertThat(sentSoFar()).isEmpty();
  }

  @Test
  void scalingDuringARollScalesTheNewVersionAndTheRollEnds() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    update(V2, 2);
    String r2 = next(EnvironmentEntity.Create.class, 1).get(0).id();

    var scaled = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(3, "alice", replyTo));
    assertThat(((ServiceEntity.Ok) scaled.reply()).view().desiredReplicas()).isEqualTo(3);
    assertThat(versions(scaled.state())).containsExactly(1, 1, 2);

    answer(r2, true);
    String r3 = next(EnvironmentEntity.Create.class, 1).get(0).id();
    assertThat(entity.getState().live()).as("no old one retired: three ready are asked for").hasSize(4);
    answer(r3, true);
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(1));
    gone(before.replicaId(1));
    String r4 = next(EnvironmentEntity.Create.class, 1).get(0).id();
    ServiceState done = answer(r4, true);

    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(0));
    assertThat(done.live()).extracting(ServiceState.Replica::id).containsExactly(r2, r3, r4);
    assertThat(versions(done)).containsExactly(2, 2, 2);
  }

  @Test
  void scalingDownDuringARollRetiresOldReplicasFirst() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    update(V2, 2);
    String r2 = next(EnvironmentEntity.Create.class, 1).get(0).id();

    var scaled = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(1, "alice", replyTo));

    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(1));
    assertThat(scaled.state().live()).extracting(ServiceState.Replica::id).containsExactly(before.replicaId(0), r2);
    ServiceState done = answer(r2, true);
    assertThat(done.live()).extracting(ServiceState.Replica::id).containsExactly(r2);
  }

  @Test
  void anUpdateDuringARollSupersedesIt() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    update(V2, 2);
    String r2 = next(EnvironmentEntity.Create.class, 1).get(0).id();

    ServiceView third = ((ServiceEntity.Ok) update(V3, 2)).view();

    assertThat(third.version()).isEqualTo(3);
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).as("the version-2 replica, not ready").isEqualTo(r2);
    gone(r2);
    Sent create = next(EnvironmentEntity.Create.class, 1).get(0);
    assertThat(((EnvironmentEntity.Create) create.command()).recipe()).isEqualTo(V3);
    assertThat(versions(entity.getState())).containsExactly(1, 1, 3);
    answer(create.id(), true);
    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(1));
  }

  @Test
  void afterARestartMidRollTheRollContinuesOnceReplicasAnswer() throws InterruptedException {
    ServiceState before = readyService(ServiceDefinition.Kind.APP, 2);
    update(V2, 2);
    String r2 = next(EnvironmentEntity.Create.class, 1).get(0).id();
    sentSoFar();

    entity.restart();
    assertThat(versions(entity.getState())).containsExactly(1, 1, 2);
    ScheduledLooks.deliverUntilOneActs(ticks, environments, entity);
    assertThat(next(EnvironmentEntity.Get.class, 3)).extracting(Sent::id)
        .containsExactly(before.replicaId(0), before.replicaId(1), r2);
    answer(before.replicaId(0), true);
    answer(before.replicaId(1), true);
    assertThat(sentSoFar()).as("what it does not know is ready retires nothing").isEmpty();

    ServiceState after = answer(r2, true);

    assertThat(next(EnvironmentEntity.Delete.class, 1).get(0).id()).isEqualTo(before.replicaId(1));
    assertThat(versions(after)).containsExactly(1, 2);
    ServiceState rolledOn = gone(before.replicaId(1));
    assertThat(next(EnvironmentEntity.Create.class, 1).get(0).id()).isEqualTo(before.replicaId(3));
    assertThat(versions(rolledOn)).containsExactly(1, 2, 2);
  }

  @Test
  void batchingChangesLiveForAModelAndIsRefusedForAnApp() throws InterruptedException {
    readyService(ServiceDefinition.Kind.MODEL, 1);
    sentSoFar();

    var set = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.SetBatching(
        new ServiceDefinition.Batching(8, 20), "alice", replyTo));

    ServiceView view = ((ServiceEntity.Ok) set.reply()).view();
    assertThat(view.batching()).isEqualTo(new ServiceDefinition.Batching(8, 20));
    assertThat(view.version()).isEqualTo(1);
    assertThat(sentSoFar()).isEmpty();
    var off = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.SetBatching(null, "alice", replyTo));
    assertThat(((ServiceEntity.Ok) off.reply()).view().batching()).isNull();
    entity.restart();
    assertThat(entity.getState().definition().batching()).isNull();

    var toApp = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Update(
        definition(ServiceDefinition.Kind.APP, V2, 1), "alice", replyTo));
    assertThat(toApp.reply()).isInstanceOf(ServiceEntity.Conflict.class);
  }

  @Test
  void anAppHasNoBatching() {
    entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Create(
        definition(ServiceDefinition.Kind.APP, V1, 1), "alice", replyTo));

    var set = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.SetBatching(
        new ServiceDefinition.Batching(8, 20), "alice", replyTo));

    assertThat(set.reply()).isInstanceOf(ServiceEntity.Conflict.class);
    assertThat(set.events()).isEmpty();
  }
}
