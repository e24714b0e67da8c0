package io.dcloud.gateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentState;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
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

  private static EnvironmentState state(String id) {
    return new EnvironmentState(id, EnvironmentStatus.QUEUED, null, null, null, List.of(), null, List.of(), null, 1,
        EnvironmentState.Removal.NONE, Instant.now().toEpochMilli(), List.of(), "ella", List.of(), null, null, null, null, null);
  }

  /** A hub, the directory's side of its watch, and the scheduler it polls for nodes. */
  private record Started(ActorRef<EventHub.Command> hub, ActorRef<EnvironmentState> changes, TestProbe<Scheduler.Command> scheduler) {}

  private static Started start(int clientBuffer, AtomicInteger connected) {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    TestProbe<Scheduler.Command> scheduler = testKit.createTestProbe();
    GatewayBackends backends = new GatewayBackends(
        id -> null, scheduler.getRef(), null, null, directory.getRef(), null, null, null, null, null, null, null, null, null);
    EventSettings settings = new EventSettings(Duration.ofMinutes(10), 100, clientBuffer, Duration.ofMinutes(10));
    ActorRef<EventHub.Command> hub = testKit.spawn(
        EventHub.create(backends, settings, JsonYaml.create(testKit.system()), NO_PROXY, WAIT, connected));
    return new Started(hub, directory.expectMessageClass(EnvironmentDirectory.Watch.class, WAIT).watcher(), scheduler);
  }

  @Test
  void aClientThatFallsBehindIsDroppedAndTheOthersGoOn() throws Exception {
    AtomicInteger connected = new AtomicInteger();
    Started started = start(2, connected);
    ActorRef<EventHub.Command> hub = started.hub();
    ActorRef<EnvironmentState> changes = started.changes();

    Pair<BoundedSourceQueue<ServerSentEvent>, CompletionStage<List<ServerSentEvent>>> reading =
        Source.<ServerSentEvent>queue(16).toMat(Sink.seq(), Keep.both()).run(testKit.system());
    BoundedSourceQueue<ServerSentEvent> stalled = stalled();
    hub.tell(new EventHub.Subscribe(ELLA, null, stalled));
    hub.tell(new EventHub.Subscribe(ELLA, null, reading.first()));
    for (int i = 0; i < 3; i++) {
      changes.tell(state("env-" + i));
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
    Started started = start(16, new AtomicInteger());
    ActorRef<EventHub.Command> hub = started.hub();
    ActorRef<EnvironmentState> changes = started.changes();

    BlockingQueue<ServerSentEvent> ellas = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(ELLA, null, reader(ellas)));
    changes.tell(state("env-a"));
    String seen = ellas.poll(WAIT.toSeconds(), TimeUnit.SECONDS).getId().orElseThrow();
    started.scheduler().expectNoMessage(Duration.ofMillis(200));

    // Nobody followed the nodes until now: what they did since that event is unknown.
    Caller cora = new Caller("cora", Set.of(Role.PLATFORM_CONFIGURER), null, null, null, false, Set.of());
    BlockingQueue<ServerSentEvent> coras = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(cora, seen, reader(coras)));
    assertThat(coras.poll(WAIT.toSeconds(), TimeUnit.SECONDS).getEventType()).hasValue(EventHub.RESET_EVENT);
    started.scheduler().expectMessageClass(Scheduler.GetNodes.class, WAIT);
  }

  @Test
  void aResumingClientReadsTheEventsItMissedAsTheLiveClientsReadThem() throws Exception {
    Started started = start(16, new AtomicInteger());
    ActorRef<EventHub.Command> hub = started.hub();
    ActorRef<EnvironmentState> changes = started.changes();

    BlockingQueue<ServerSentEvent> live = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(ELLA, null, reader(live)));
    changes.tell(state("env-a"));
    changes.tell(state("env-b"));
    ServerSentEvent first = live.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    ServerSentEvent second = live.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(second.getData()).contains("\"id\":\"env-b\"").contains("\"status\":\"QUEUED\"");

    BlockingQueue<ServerSentEvent> resumed = new LinkedBlockingQueue<>();
    hub.tell(new EventHub.Subscribe(ELLA, first.getId().orElseThrow(), reader(resumed)));
    assertThat(resumed.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the kept event, rendered for the resuming client")
        .isEqualTo(second);
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
