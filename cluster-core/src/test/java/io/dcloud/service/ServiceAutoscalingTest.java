package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.testing.MovingClock;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
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

/** A service that scales itself: from the load its gateways report, within its bounds, after its delays. */
class ServiceAutoscalingTest {
  private static final Config CONFIG = ServiceEntityFixtures.CONFIG;
  private static final ActorTestKit testKit = ActorTestKit.create("service-autoscaling-test", CONFIG);
  private static final ImageRecipe RECIPE = ServiceEntityFixtures.RECIPE;
  private static final EnvironmentSpec SPEC = ServiceEntityFixtures.SPEC;
  private static final Duration LOOK_BACK = Duration.ofSeconds(30);
  /** 1 to 3 replicas of 2 calls in progress each, up at once, down after a minute. */
  private static final ServiceDefinition.Autoscaling ONE_TO_THREE =
      new ServiceDefinition.Autoscaling(1, 3, 2, Duration.ZERO, Duration.ofMinutes(1));

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  private final BlockingQueue<EnvironmentEntity.Command> environments = new LinkedBlockingQueue<>();
  private final BlockingQueue<ServiceEntity.Command> ticks = new LinkedBlockingQueue<>();
  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-07T10:00:00Z"));
  private EventSourcedBehaviorTestKit<ServiceEntity.Command, ServiceEntity.Event, ServiceState> entity;
  private String name;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    ServiceEntity.Wiring wiring = new ServiceEntity.Wiring(
        (id, command) -> environments.add(command), (n, tick) -> ticks.add(tick), testKit.<ServiceIndex.Command>createTestProbe().getRef(),
        new ServiceEntity.Settings(Duration.ofMillis(100), JournalBackoff.fromConfig(CONFIG), LOOK_BACK), clock);
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), ServiceEntity.create(name, wiring));
  }

  private ServiceDefinition definition(int replicas, ServiceDefinition.Autoscaling autoscaling) {
    return new ServiceDefinition(name, ServiceDefinition.Kind.APP, SPEC, RECIPE, 80, new ServiceDefinition.Readiness("/"),
        replicas, null, List.of(), null, null, autoscaling);
  }

  private ServiceView create(int replicas, ServiceDefinition.Autoscaling autoscaling) {
    var result = entity.<ServiceEntity.Reply>runCommand(replyTo ->
        new ServiceEntity.Create(definition(replicas, autoscaling), "alice", replyTo));
    return ((ServiceEntity.Ok) result.reply()).view();
  }

  /** The entity's next scheduled look, run now: what it recorded. */
  private List<ServiceEntity.Event> look() throws InterruptedException {
    ServiceEntity.Command tick = ticks.poll(5, TimeUnit.SECONDS);
    assertThat(tick).as("a scheduled look").isNotNull();
    return entity.runCommand(tick).events();
  }

  private ServiceView view() {
    return ((ServiceEntity.Ok) entity.<ServiceEntity.Reply>runCommand(ServiceEntity.Get::new).reply()).view();
  }

  private long creates() {
    return environments.stream().filter(EnvironmentEntity.Create.class::isInstance).count();
  }

  private double scalings(String direction) {
    return Metrics.globalRegistry.get("dcloud.service.autoscaling.scalings").tag("service", name)
        .tag("direction", direction).counter().count();
  }

  @Test
  void theLoadTheGatewaysReportAddsReplicasUpToTheMostAndTheAutoscalerIsRecordedAsWhoScaled()
      throws InterruptedException {
    assertThat(create(1, ONE_TO_THREE).desiredReplicas()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    // Two gateways, 5 calls in progress each over the last 2 s: 10 of 2 a replica asks for 5, at most 3.
    entity.runCommand(new ServiceEntity.ReportLoad(5, Duration.ofSeconds(2)));
    entity.runCommand(new ServiceEntity.ReportLoad(5, Duration.ofSeconds(2)));

    assertThat(look()).contains(new ServiceEntity.Scaled(3, Autoscaler.ACTOR, clock.instant()));
    ServiceView view = view();
    assertThat(view.desiredReplicas()).isEqualTo(3);
    assertThat(view.replicas()).hasSize(3);
    assertThat(view.autoscaling()).isEqualTo(ONE_TO_THREE);
    assertThat(view.load().ongoingRequests()).isEqualTo(10);
    assertThat(view.load().wantedReplicas()).isEqualTo(3);
    assertThat(creates()).isEqualTo(3);
    assertThat(scalings("up")).isEqualTo(1);
  }

  @Test
  void withoutLoadItScalesDownToTheLeastOnceTheDownscaleDelayHasPassed() throws InterruptedException {
    create(3, ONE_TO_THREE);
    clock.advance(LOOK_BACK);
    assertThat(look()).as("a quiet window: asks for 1 from now on").isEmpty();
    clock.advance(Duration.ofSeconds(59));
    assertThat(look()).as("59 s of 60").isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(look()).contains(new ServiceEntity.Scaled(1, Autoscaler.ACTOR, clock.instant()));
    assertThat(view().replicas()).hasSize(1);
    assertThat(scalings("down")).isEqualTo(1);
  }

  @Test
  void aScaleByHandIsRefusedWhileItAutoscalesAndBoundsBringTheCountWithinThem() {
    create(1, null);
    var inBounds = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.SetAutoscaling(
        new ServiceDefinition.Autoscaling(2, 4, 2, Duration.ZERO, Duration.ZERO), "alice", replyTo));
    assertThat(inBounds.events()).first().isInstanceOf(ServiceEntity.AutoscalingChanged.class);
    assertThat(((ServiceEntity.Ok) inBounds.reply()).view().desiredReplicas()).as("raised to the least").isEqualTo(2);
    assertThat(creates()).isEqualTo(2);

    var byHand = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(4, "alice", replyTo));
    assertThat(byHand.reply()).isInstanceOf(ServiceEntity.Conflict.class);
    assertThat(((ServiceEntity.Conflict) byHand.reply()).reason()).contains("scales itself between 2 and 4");
    assertThat(byHand.events()).isEmpty();

    var off = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.SetAutoscaling(null, "alice", replyTo));
    ServiceView view = ((ServiceEntity.Ok) off.reply()).view();
    assertThat(view.autoscaling()).isNull();
    assertThat(view.load()).isNull();
    assertThat(view.desiredReplicas()).as("the count stays as it was").isEqualTo(2);
    var scaled = entity.<ServiceEntity.Reply>runCommand(replyTo -> new ServiceEntity.Scale(1, "alice", replyTo));
    assertThat(((ServiceEntity.Ok) scaled.reply()).view().desiredReplicas()).isEqualTo(1);
  }

  @Test
  void aDefinitionAppliedAgainKeepsTheCountTheServiceScaledItselfTo() throws InterruptedException {
    create(1, ONE_TO_THREE);
    clock.advance(Duration.ofSeconds(2));
    entity.runCommand(new ServiceEntity.ReportLoad(6, Duration.ofSeconds(2)));
    look();
    assertThat(view().desiredReplicas()).isEqualTo(3);

    // Read back when it had 1, another delay, applied: the bounds change, the count does not.
    ServiceDefinition.Autoscaling slower = new ServiceDefinition.Autoscaling(1, 3, 2, Duration.ofSeconds(30), Duration.ofMinutes(1));
    var applied = entity.<ServiceEntity.Reply>runCommand(replyTo ->
        new ServiceEntity.Update(definition(1, slower), "alice", replyTo));
    assertThat(applied.events()).containsExactly(new ServiceEntity.AutoscalingChanged(slower, "alice", clock.instant()));
    assertThat(((ServiceEntity.Ok) applied.reply()).view().desiredReplicas()).isEqualTo(3);
  }

  @Test
  void aServiceScaledToZeroMakesItsFirstReplicaAsSoonAsACallWaits() throws InterruptedException {
    ServiceDefinition.Autoscaling fromZero = new ServiceDefinition.Autoscaling(0, 2, 2, Duration.ofSeconds(30),
        Duration.ofSeconds(5));
    assertThat(create(0, fromZero).replicas()).isEmpty();
    assertThat(creates()).isZero();
    clock.advance(Duration.ofSeconds(1));

    var waiting = entity.runCommand(new ServiceEntity.ReportLoad(0.2, Duration.ofSeconds(1)));
    assertThat(waiting.events()).as("at once, not at the next look")
        .contains(new ServiceEntity.Scaled(1, Autoscaler.ACTOR, clock.instant()));
    assertThat(creates()).isEqualTo(1);

    clock.advance(LOOK_BACK.plusSeconds(1));
    assertThat(look()).as("a quiet window: asks for none from now").isEmpty();
    clock.advance(Duration.ofSeconds(5));
    assertThat(look()).as("quiet for the downscale delay: none").contains(
        new ServiceEntity.Scaled(0, Autoscaler.ACTOR, clock.instant()));
    assertThat(view().replicas()).isEmpty();
  }

  @Test
  void aServiceScaledByHandIgnoresLoadReports() throws InterruptedException {
    create(1, null);
    entity.runCommand(new ServiceEntity.ReportLoad(50, Duration.ofSeconds(2)));
    clock.advance(Duration.ofSeconds(2));
    assertThat(look()).isEmpty();
    assertThat(view().desiredReplicas()).isEqualTo(1);
    assertThat(view().load()).isNull();
  }
}
