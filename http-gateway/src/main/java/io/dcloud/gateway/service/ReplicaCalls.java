package io.dcloud.gateway.service;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.node.ProxyPieces;
import io.dcloud.node.ProxyWire;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * One HTTP request to one replica's service port: straight to its published port when this gateway
 * can reach it ({@link DirectRoute}, {@link DirectCalls}), otherwise through the replica's
 * environment entity to the node that runs it ({@link EnvironmentEntity.Proxy}, as the environment
 * proxy goes). The body is whole here (so a retry can send it again); a large one crosses the
 * cluster as a fresh StreamRef for each try.
 */
final class ReplicaCalls {
  private static final int SERVICE_UNAVAILABLE = 503;
  private final ClusterAsks asks;
  private final Materializer materializer;
  private final DirectRoute route;
  private final DirectCalls direct;

  ReplicaCalls(ClusterAsks asks, Materializer materializer, DirectRoute route, DirectCalls direct) {
    this.asks = asks;
    this.materializer = materializer;
    this.route = route;
    this.direct = direct;
  }

  /** A request to send: {@code target} is the path and query the replica receives. */
  record Request(String method, String target, List<ProxyWire.Header> headers, String contentType, ByteString body) {}

  /**
   * The replica's answer, or why it had none; 5xx answers count as errors in the meters, not as
   * unreachable, but a 503 says the replica did not take the call (see {@link #attempt}).
   */
  CompletionStage<ReplicaBalancer.Attempt<ProxyWire.Response>> send(
      ServiceView.Replica replica, int port, Request request, Duration timeout) {
    Optional<String> base = route.base(replica);
    if (base.isPresent()) {
      return direct.send(replica.id(), base.get(), request, timeout).thenApply(attempt -> {
        if (attempt instanceof ReplicaBalancer.Attempt.Unreachable<?>) {
          route.refused(replica.id());
        }
        return attempt;
      });
    }
    return throughNode(replica, port, request, timeout);
  }

  private CompletionStage<ReplicaBalancer.Attempt<ProxyWire.Response>> throughNode(
      ServiceView.Replica replica, int port, Request request, Duration timeout) {
    ProxyWire.Chunk inline = null;
    org.apache.pekko.stream.SourceRef<ProxyWire.Chunk> stream = null;
    if (request.body() != null && !request.body().isEmpty()) {
      if (request.body().size() <= ProxyPieces.SIZE) {
        inline = new ProxyWire.Chunk(request.body().toArray());
      } else {
        stream = Source.from(ProxyPieces.chunks(request.body())).runWith(StreamRefs.sourceRef(), materializer);
      }
    }
    ProxyWire.Http call = new ProxyWire.Http(request.method(), request.target(), request.headers(),
        inline == null && stream == null ? null : request.contentType(), inline, stream);
    return asks.<ProxyWire.Reply>environment(replica.id(), replyTo -> new EnvironmentEntity.Proxy(port, call, replyTo), timeout)
        .thenApply(reply -> {
          if (reply instanceof ProxyWire.Response response) {
            return attempt(response);
          } else if (reply instanceof ProxyWire.Unavailable unavailable) {
            return new ReplicaBalancer.Attempt.Unreachable<>(unavailable.why() + ": " + unavailable.reason());
          }
          return new ReplicaBalancer.Attempt.Unreachable<>("the replica answered a WebSocket to a plain request");
        });
  }

  /**
   * What a replica's HTTP answer is to the balancer: a 503 is a replica that could not take the call
   * (a model answers it while it loads after a restart, before its node's next probe has seen it);
   * any other answer is the call's, a 5xx counted as an error.
   */
  static ReplicaBalancer.Attempt<ProxyWire.Response> attempt(ProxyWire.Response response) {
    return response.status() == SERVICE_UNAVAILABLE
        ? new ReplicaBalancer.Attempt.Unavailable<>(response)
        : new ReplicaBalancer.Attempt.Answered<>(response, response.status() < 500);
  }

  /** The answer's body read whole (a batch is split, a predict's answer is small). */
  CompletionStage<PredictBatcher.Reply> whole(ProxyWire.Response response) {
    if (response.bodyStream() == null) {
      byte[] body = response.body() == null ? new byte[0] : response.body().bytes();
      return CompletableFuture.completedFuture(new PredictBatcher.Reply(response.status(), response.contentType(), body));
    }
    return Asks.completedInline(response.bodyStream().getSource()
        .runWith(Sink.fold(ByteString.emptyByteString(), (all, chunk) -> all.concat(ByteString.fromArray(chunk.bytes()))),
            materializer))
        .thenApply(all -> new PredictBatcher.Reply(response.status(), response.contentType(), all.toArray()));
  }
}
