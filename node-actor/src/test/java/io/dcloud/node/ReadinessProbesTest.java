package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.dcloud.spec.ServiceBinding;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's readiness probes against a real HTTP server on loopback standing in for a replica's
 * published port: the ticks are the test's own, so which report follows which is exact.
 */
class ReadinessProbesTest {
  private static final String ENV = "e1";
  private static final String CONTAINER = "c0ffee";
  private static final ActorTestKit testKit = ActorTestKit.create("readiness-probes", ConfigFactory.load());
  private static HttpServer replica;
  /** What the replica's readiness path answers. */
  private static final AtomicInteger readiness = new AtomicInteger(200);

  /** What the probes report to the environment, and what the node itself reported before them. */
  private final LinkedBlockingQueue<ContainerReport> reports = new LinkedBlockingQueue<>();
  private NodePeers watched;
  private ActorRef<NodeActor.Message> probes;

  @BeforeAll
  static void serve() throws Exception {
    replica = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    replica.createContext("/ready", exchange -> {
      exchange.sendResponseHeaders(readiness.get(), -1);
      exchange.close();
    });
    replica.start();
  }

  @AfterAll
  static void stop() {
    replica.stop(0);
    testKit.shutdownTestKit();
  }

  private void start() throws Exception {
    start(Duration.ZERO);
  }

  /** {@code reasonEvery}: how often a new why of a replica not ready is reported. */
  private void start(Duration reasonEvery) throws Exception {
    CompletableFuture<NodePeers> wrapped = new CompletableFuture<>();
    probes = testKit.spawn(Behaviors.setup(context -> {
      ReadinessProbes readiness = new ReadinessProbes(context, "n1", recording(), ConfigFactory.parseString(
          "dcloud.services.readiness-reason-every = " + reasonEvery.toMillis() + "ms")
          .withFallback(context.getSystem().settings().config()));
      wrapped.complete(readiness.watching(recording()));
      readiness.deployed(ENV, spec());
      return Behaviors.receiveMessage(message -> {
        if (message instanceof ReportsAfterRemoval.MemberRemoved) {
          // What the node does with a member's removal, as far as readiness goes.
          readiness.reportAgain();
        } else {
          readiness.on((ReadinessProbes.Step) message);
        }
        return Behaviors.same();
      });
    }));
    watched = wrapped.get(10, TimeUnit.SECONDS);
  }

  private NodePeers recording() {
    return new NodePeers() {
      @Override
      public void report(String environmentId, ContainerReport report) {
        reports.add(report);
      }

      @Override
      public void progress(String environmentId, String line) {}

      @Override
      public CompletionStage<Claim> claim(String environmentId, String nodeId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<Boolean> stop(String environmentId, String reason) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<List<String>> placedOn(String nodeId) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static EnvironmentSpec spec() {
    return new EnvironmentSpec("web-0", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null), List.of(),
        List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ALWAYS, Map.of(), null,
        new ServiceBinding("web", 80, "/ready"));
  }

  private void nodeReports(ContainerPhase phase) throws InterruptedException {
    List<PublishedPort> ports = List.of(new PublishedPort(80, "tcp", "127.0.0.1", replica.getAddress().getPort(), null));
    watched.report(ENV, new ContainerReport("n1", phase, CONTAINER, phase == ContainerPhase.RUNNING ? ports : List.of(),
        null, false, phase.name()));
    assertThat(reports.poll(10, TimeUnit.SECONDS)).as("the node's own report, passed on").isNotNull();
  }

  /** Ticks until a readiness report comes, or {@code within} passes (null then). */
  private ContainerReport readinessReportAfterTicks(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      probes.tell(ReadinessProbes.Tick.INSTANCE);
      ContainerReport report = reports.poll(200, TimeUnit.MILLISECONDS);
      if (report != null) {
        return report;
      }
    }
    return null;
  }

  /** Not ready, the report says why, as Kubernetes' probe events do; a new why is news, the same one is not. */
  @Test
  void aReplicaThatIsNotReadyIsReportedWithWhyAndAgainWhenTheWhyChanges() throws Exception {
    readiness.set(503);
    try {
      start();
      nodeReports(ContainerPhase.RUNNING);
      ContainerReport failing = readinessReportAfterTicks(Duration.ofSeconds(10));
      assertThat(failing).isNotNull();
      assertThat(failing.ready()).isFalse();
      assertThat(failing.message()).isEqualTo("not ready: GET /ready answered 503");
      assertThat(readinessReportAfterTicks(Duration.ofSeconds(1))).as("the same why: no news").isNull();

      // A probe that timed out on a busy machine would be reported between (another why): skipped.
      readiness.set(500);
      assertThat(reportSaying("not ready: GET /ready answered 500")).as("a new why").isNotNull();

      readiness.set(200);
      ContainerReport ready = reportSaying("ready");
      assertThat(ready).isNotNull();
      assertThat(ready.ready()).isTrue();
    } finally {
      readiness.set(200);
    }
  }

  /** The first report saying {@code message} within 10 s of ticks (null when none does). */
  private ContainerReport reportSaying(String message) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      ContainerReport report = readinessReportAfterTicks(Duration.ofMillis(500));
      if (report != null && message.equals(report.message())) {
        return report;
      }
    }
    return null;
  }

  /** A why that flaps (a probe timing out now and then) is reported at most every readiness-reason-every; ready at once. */
  @Test
  void aNewWhyIsReportedAtMostEveryReasonIntervalAndReadinessAtOnce() throws Exception {
    readiness.set(503);
    try {
      start(Duration.ofHours(1));
      nodeReports(ContainerPhase.RUNNING);
      assertThat(reportSaying("not ready: GET /ready answered 503")).isNotNull();
      readiness.set(500);
      assertThat(readinessReportAfterTicks(Duration.ofSeconds(1))).as("a new why, within the hour").isNull();
      readiness.set(200);
      assertThat(reportSaying("ready")).as("ready, at once").isNotNull();
    } finally {
      readiness.set(200);
    }
  }

  @Test
  void aReplicaStoppedAndStartedAgainBeforeTheNextTickIsReportedReadyAgain() throws Exception {
    start();
    nodeReports(ContainerPhase.RUNNING);
    ContainerReport first = readinessReportAfterTicks(Duration.ofSeconds(10));
    assertThat(first).isNotNull();
    assertThat(first.ready()).isTrue();
    assertThat(readinessReportAfterTicks(Duration.ofSeconds(1))).as("no news, no report").isNull();

    // Stopped and started again (the same container) with no tick between: the environment forgot
    // its readiness with the stop, so the new run's must be reported.
    nodeReports(ContainerPhase.EXITED);
    nodeReports(ContainerPhase.RUNNING);
    ContainerReport again = readinessReportAfterTicks(Duration.ofSeconds(10));

    assertThat(again).as("the new run's readiness").isNotNull();
    assertThat(again.ready()).isTrue();
    assertThat(again.containerId()).isEqualTo(CONTAINER);
  }

  /** A readiness report sent to an entity on a member that crashed is lost: after its removal each is made again. */
  @Test
  void afterAMembersRemovalTheReadinessIsReportedAgainThoughItDidNotChange() throws Exception {
    start();
    nodeReports(ContainerPhase.RUNNING);
    assertThat(readinessReportAfterTicks(Duration.ofSeconds(10))).isNotNull();
    assertThat(readinessReportAfterTicks(Duration.ofSeconds(1))).as("no news, no report").isNull();

    probes.tell(new ReportsAfterRemoval.MemberRemoved("pekko://dcloud@10.0.0.9:2552"));
    ContainerReport again = readinessReportAfterTicks(Duration.ofSeconds(10));

    assertThat(again).as("the readiness, reported again").isNotNull();
    assertThat(again.ready()).isTrue();
    assertThat(readinessReportAfterTicks(Duration.ofSeconds(1))).as("once").isNull();
  }
}
