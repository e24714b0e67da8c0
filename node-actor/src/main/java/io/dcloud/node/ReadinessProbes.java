package io.dcloud.node;

import com.typesafe.config.Config;
import io.dcloud.ask.Asks;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.spec.Durations;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import io.dcloud.spec.ServiceBinding;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;

/**
 * Readiness of the service replicas this node runs: every {@code dcloud.services.readiness-interval}
 * it asks each running replica's readiness path on its service port (as the engine published it on
 * this machine, like {@link ContainerProxy}), and reports a change to the environment as a RUNNING
 * report with {@code ready} — and, while it is not, why, in the report's message ({@code not ready:
 * GET /ready answered 503}), as Kubernetes' probe events say it; a new why is news too, at most every
 * {@code dcloud.services.readiness-reason-every}. Only the node reaches the container, so only it
 * can tell.
 *
 * <p>It learns the bindings from the deploys it sees (and, for the containers a node finds as it
 * starts, from their environments' claims) and the ports from the reports the node sends
 * ({@link #watching}); reports may come from the blocking pool, hence the concurrent maps.
 */
final class ReadinessProbes {

  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  enum Tick implements Step { INSTANCE }

  /** {@code notReady}: why it is not (null: ready). */
  record Probed(String environmentId, Running container, String notReady) implements Step {
    boolean ready() {
      return notReady == null;
    }

    /** The report's message: what the environment shows while it is not ready. */
    String message() {
      return ready() ? "ready" : "not ready: " + notReady;
    }
  }

  /**
   * A running container, as the RUNNING report that began its run gave it: a new instance for each
   * run (a container stopped and started again is another run, whose readiness is reported anew),
   * so runs are told apart by identity.
   */
  record Running(String containerId, List<PublishedPort> ports) {}

  /**
   * What was last reported of a replica ({@code message}: ready, or not and why), for which run, and
   * when ({@code atNanos}).
   */
  private record Reported(Running run, boolean ready, String message, long atNanos) {}

  private final ActorContext<NodeActor.Message> context;
  private final String nodeId;
  private final NodePeers peers;
  private final Duration interval;
  private final Duration reasonEvery;
  private final Http http;
  private final Materializer materializer;
  /** The binding of each service replica deployed here. */
  private final Map<String, ServiceBinding> bindings = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  /** What was last reported of each replica (the actor's thread only). */
  private final Map<String, Reported> reported = new HashMap<>();

  /** {@code peers}: where the readiness reports go (the node's peers, unwatched). */
  ReadinessProbes(ActorContext<NodeActor.Message> context, String nodeId, NodePeers peers, Config config) {
    this.context = context;
    this.nodeId = nodeId;
    this.peers = peers;
    this.interval = config.getDuration("dcloud.services.readiness-interval");
    this.reasonEvery = config.getDuration("dcloud.services.readiness-reason-every");
    this.http = Http.get(context.getSystem());
    this.materializer = Materializer.matFromSystem(context.getSystem());
  }

  void begin(TimerScheduler<NodeActor.Message> timers) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
  }

  /** An environment is deployed (or adopted) here with {@code spec}: probed once running when it is a service's replica. */
  void deployed(String environmentId, EnvironmentSpec spec) {
    if (spec.service() == null) {
      bindings.remove(environmentId);
    } else {
      bindings.put(environmentId, spec.service());
    }
  }

  /** The node's peers, seen through this: a RUNNING report gives the ports to probe, any other stops the probing. */
  NodePeers watching(NodePeers reports) {
    return new WatchedPeers(reports) {
      @Override
      public void report(String environmentId, NodeProtocol.ContainerReport report) {
        if (report.phase() == ContainerPhase.RUNNING && report.containerId() != null && report.ready() == null) {
          // The same run reported again keeps its instance; a restart's first report makes a new one.
          running.compute(environmentId, (id, run) -> run != null && run.containerId().equals(report.containerId())
              && run.ports().equals(report.ports()) ? run : new Running(report.containerId(), report.ports()));
        } else if (report.phase() != ContainerPhase.RUNNING) {
          running.remove(environmentId);
          if (report.phase() == ContainerPhase.REMOVED || report.phase() == ContainerPhase.MISSING) {
            bindings.remove(environmentId);
          }
        }
        super.report(environmentId, report);
      }
    };
  }

  /** Reports every replica's readiness at the next probe, news or not (see {@link ReportsAfterRemoval}). */
  void reportAgain() {
    reported.clear();
  }

  void on(Step step) {
    if (step == Tick.INSTANCE) {
      reported.keySet().retainAll(running.keySet());
      running.forEach(this::probe);
    } else if (step instanceof Probed probed) {
      // A run that ended while it was probed says nothing of the next one, even of the same container.
      Running now = running.get(probed.environmentId());
      Reported last = reported.get(probed.environmentId());
      long at = System.nanoTime();
      boolean news = last == null || last.run() != now || last.ready() != probed.ready()
          || (!last.message().equals(probed.message()) && at - last.atNanos() >= reasonEvery.toNanos());
      if (now == probed.container() && news) {
        reported.put(probed.environmentId(), new Reported(now, probed.ready(), probed.message(), at));
        context.getLog().info("Environment {} on node {} is {}", probed.environmentId(), nodeId, probed.message());
        peers.report(probed.environmentId(), new NodeProtocol.ContainerReport(nodeId, ContainerPhase.RUNNING,
            now.containerId(), now.ports(), null, false, probed.message(), null, probed.ready()));
      }
    }
  }

  private void probe(String environmentId, Running container) {
    ServiceBinding binding = bindings.get(environmentId);
    if (binding == null) {
      return;
    }
    Optional<PublishedPort> published = container.ports().stream()
        .filter(p -> p.containerPort() == binding.port() && "tcp".equals(p.protocol()) && p.hostPort() != null)
        .findFirst();
    if (published.isEmpty()) {
      context.getLog().debug("Environment {}: port {} is not published, so not probed", environmentId, binding.port());
      return;
    }
    String url = published.get().urlOnItsMachine("http") + binding.readinessPath();
    String asked = "GET " + binding.readinessPath();
    // Why it is not ready; null when it is.
    CompletionStage<String> answered = Asks.completedInline(http.singleRequest(HttpRequest.GET(url)))
        .thenCompose(response -> Asks.completedInline(response.discardEntityBytes(materializer).completionStage())
            .thenApply(done -> response.status().isSuccess() ? null : asked + " answered " + response.status().intValue()))
        .toCompletableFuture()
        .completeOnTimeout(asked + ": no answer within " + Durations.format(interval), interval.toMillis(), TimeUnit.MILLISECONDS);
    context.pipeToSelf(answered, (notReady, failure) ->
        new Probed(environmentId, container, failure == null ? notReady : asked + ": " + Failures.rootMessage(failure)));
  }
}
