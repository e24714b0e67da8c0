package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A client that falls behind is disconnected; the gateway and the other clients go on. */
class EventHubTest {
  private static final ProxySettings NO_PROXY = new ProxySettings(0, "", 0);
  private static final ActorTestKit testKit = ActorTestKit.create("event-hub-test");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Caller ELLA = new Caller("ella", Set.of(), null, null, null, false, Set.of());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EnvironmentView view(String id) {
    Instant now = Instant.now();
    return new EnvironmentView(id, "e", EnvironmentStatus.QUEUED, null, null, null, null, List.of(), List.of(),
        List.of(), null, 1, now, now, List.of(), "ella");
  }

  @Test
  void aClientThatFallsBehindIsDroppedAndTheOthersGoOn() throws Exception {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    TestProbe<Scheduler.Command> scheduler = testKit.createTestProbe();
    GatewayBackends backends = new GatewayBackends(
        id -> null, scheduler.getRef(), null, null, directory.getRef(), null, null, null, null, null, null, null);
    AtomicInteger connected = new AtomicInteger();
    EventSettings settings = new EventSettings(Duration.ofMinutes(10), 100, 2, Duration.ofMinutes(10));
    ActorRef<EventHub.Command> hub = testKit.spawn(
        EventHub.create(backends, settings, JsonYaml.create(testKit.system()), NO_PROXY, WAIT, connected));
    ActorRef<EnvironmentView> changes = directory.expectMessageClass(EnvironmentDirectory.Watch.class, WAIT).watcher();

    Pair<BoundedSourceQueue<ServerSentEvent>, CompletionStage<List<ServerSentEvent>>> reading =
        Source.<ServerSentEvent>queue(16).toMat(Sink.seq(), Keep.both()).run(testKit.system());
    BoundedSourceQueue<ServerSentEvent> stalled = stalled();
    hub.tell(new EventHub.Subscribe(ELLA, null, stalled));
    hub.tell(new EventHub.Subscribe(ELLA, null, reading.first()));
    for (int i = 0; i < 3; i++) {
      changes.tell(view("env-" + i));
    }

    long deadline = System.nanoTime() + WAIT.toNanos();
    // Failed by the hub (an offer to it fails now), and no longer counted.
    while (!(stalled.offer(ServerSentEvent.heartbeat()) instanceof QueueOfferResult.Failure) || connected.get() != 1) {
      assertThat(System.nanoTime()).as("the stalled client dropped: %s connected", connected.get()).isLessThan(deadline);
      Thread.sleep(20);
    }
    reading.first().complete();
    assertThat(reading.second().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .extracting(event -> event.getEventType().orElse("")).containsExactly("environment", "environment", "environment");
  }

  @Test
  void nodesArePolledOnlyForConfigurersAndOneResumingFromBeforeGetsAReset() throws Exception {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    TestProbe<Scheduler.Command> scheduler = testKit.createTestProbe();
    GatewayBackends backends = new GatewayBackends(
        id -> null, scheduler.getRef(), null, null, directory.getRef(), null, null, null, null, null, null, null);
    EventSettings settings = new EventSettings(Duration.ofMinutes(10), 100, 16, Duration.ofMinutes(10));
    ActorRef<EventHub.Command> hub = testKit.spawn(
        EventHub.create(backends, settings, JsonYaml.create(testKit.system()), NO_PROXY, WAIT, new AtomicInteger()));
    ActorRef<EnvironmentView> changes = directory.expectMessageClass(EnvironmentDirectory.Watch.class, WAIT).watcher();

    BlockingQueue<ServerSentEvent> ellas = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(ELLA, null, reader(ellas)));
    changes.tell(view("env-a"));
    String seen = ellas.poll(WAIT.toSeconds(), TimeUnit.SECONDS).getId().orElseThrow();
    scheduler.expectNoMessage(Duration.ofMillis(200));

    // Nobody followed the nodes until now: what they did since that event is unknown.
    Caller cora = new Caller("cora", Set.of(Role.PLATFORM_CONFIGURER), null, null, null, false, Set.of());
    BlockingQueue<ServerSentEvent> coras = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(cora, seen, reader(coras)));
    assertThat(coras.poll(WAIT.toSeconds(), TimeUnit.SECONDS).getEventType()).hasValue(EventHub.RESET_EVENT);
    scheduler.expectMessageClass(Scheduler.GetNodes.class, WAIT);
  }

  private static BoundedSourceQueue<ServerSentEvent> reader(BlockingQueue<ServerSentEvent> into) {
    return Source.<ServerSentEvent>queue(16).toMat(Sink.foreach(into::add), Keep.left()).run(testKit.system());
  }

  /** A reader that never reads: its queue holds two events (the hub's client-buffer), the third finds it full. */
  private static BoundedSourceQueue<ServerSentEvent> stalled() {
    return Source.<ServerSentEvent>queue(2)
        .toMat(Sink.<ServerSentEvent>asPublisher(org.apache.pekko.stream.javadsl.AsPublisher.WITHOUT_FANOUT), Keep.left())
        .run(testKit.system());
  }
}
