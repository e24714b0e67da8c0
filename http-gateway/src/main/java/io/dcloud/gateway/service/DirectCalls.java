package io.dcloud.gateway.service;

import io.dcloud.ask.Asks;
import io.dcloud.node.ProxyHttp;
import io.dcloud.node.ProxyWire;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request straight to a replica's published port ({@link DirectRoute} says when), over Pekko
 * HTTP's pooled keep-alive connections, answered as the replica's node would answer it: a {@link
 * ProxyWire.Response} (a small body inline, a larger one as a stream), or {@link
 * ReplicaBalancer.Attempt.Unreachable} when nothing answered there. The pool itself never retries:
 * the balancer decides whether a call may be tried again, and on which replica.
 */
final class DirectCalls {
  private static final Logger log = LoggerFactory.getLogger(DirectCalls.class);

  private final ActorSystem<?> system;
  private final Http http;
  private final Materializer materializer;
  private final ConnectionPoolSettings pool;

  /** {@code maxOpen}: calls one replica may have outstanding here (the service's queue bounds them). */
  DirectCalls(ActorSystem<?> system, Materializer materializer, int maxConnections, int maxOpen) {
    this.system = system;
    this.http = Http.get(system);
    this.materializer = materializer;
    // Pekko wants a power of two; a full pool would fail calls the service's queue admitted.
    int open = Integer.highestOneBit(Math.max(maxOpen, maxConnections) - 1) << 1;
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        .withMaxConnections(maxConnections)
        .withMaxOpenRequests(Math.max(open, 1))
        .withMaxRetries(0);
  }

  /** The call to {@code base} (as {@code http://host:port}); a failure with a TimeoutException after {@code timeout}. */
  CompletionStage<ReplicaBalancer.Attempt<ProxyWire.Response>> send(
      String replicaId, String base, ReplicaCalls.Request request, Duration timeout) {
    HttpRequest http = ProxyHttp.request(request.method(), base + request.target(), request.headers());
    if (request.body() != null && !request.body().isEmpty()) {
      http = http.withEntity(HttpEntities.create(ProxyHttp.contentType(request.contentType()), request.body()));
    }
    // Re-homed at once: continuations of Pekko's stages would each start a thread on two cores (see Asks).
    return Asks.completedInline(
            this.http.singleRequest(http, this.http.defaultClientHttpsContext(), pool, system.classicSystem().log()))
        .thenCompose(response -> ProxyHttp.answer(response, timeout, materializer))
        .<ReplicaBalancer.Attempt<ProxyWire.Response>>handle((response, failure) -> {
          if (failure == null) {
            return ReplicaCalls.attempt(response);
          }
          String reason = "could not reach " + base + " of replica " + replicaId + ": " + rootMessage(failure);
          log.debug("Replica {}: {}", replicaId, reason);
          return new ReplicaBalancer.Attempt.Unreachable<>(reason);
        })
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
