package io.dcloud.client;

import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Reply;
import io.dcloud.client.protocol.DCloudProtocol.Request;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The environment requests of one DCloud user (one API token). Each answers with the protocol's
 * {@link Reply}: what was done ({@code Created}, {@code Found}, {@code Accepted}, {@code Watching}),
 * {@code NotFound}, or {@code Refused} with the HTTP API's problem. A stage fails (with a
 * {@link java.util.concurrent.TimeoutException}) only when no gateway answered within
 * {@code dcloud.client.ask-timeout}.
 */
public final class Environments {
  private final ActorSystem<?> system;
  private final GatewayServices services;
  private final String token;
  private final Duration askTimeout;

  Environments(ActorSystem<?> system, GatewayServices services, String token, Duration askTimeout) {
    this.system = system;
    this.services = services;
    this.token = token;
    this.askTimeout = askTimeout;
  }

  /** Creates an environment from its config (the HTTP API's contract, JSON or YAML): {@code Created}. */
  public CompletionStage<Reply> create(String spec) {
    return create(spec, null);
  }

  /** The same; a retried create with the same {@code idempotencyKey} answers with the same environment. */
  public CompletionStage<Reply> create(String spec, String idempotencyKey) {
    return ask(replyTo -> new DCloudProtocol.Create(token, spec, idempotencyKey, replyTo));
  }

  /** {@code Found}. */
  public CompletionStage<Reply> get(String environmentId) {
    return ask(replyTo -> new DCloudProtocol.Get(token, environmentId, replyTo));
  }

  /** {@code Accepted}. */
  public CompletionStage<Reply> stop(String environmentId) {
    return ask(replyTo -> new DCloudProtocol.Stop(token, environmentId, replyTo));
  }

  /** {@code Accepted}. */
  public CompletionStage<Reply> delete(String environmentId) {
    return ask(replyTo -> new DCloudProtocol.Delete(token, environmentId, replyTo));
  }

  /** {@code Watching}: run its stream soon (within Pekko's stream-ref subscription timeout). */
  public CompletionStage<Reply> watch(String environmentId) {
    return ask(replyTo -> new DCloudProtocol.Watch(token, environmentId, replyTo));
  }

  /** Waits for a gateway to be known, then asks it; both within the one ask timeout. */
  private CompletionStage<Reply> ask(Function<ActorRef<Reply>, Request> request) {
    long started = System.nanoTime();
    return services.firstKnown()
        .orTimeout(askTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(known -> {
          Duration left = Duration.ofNanos(Math.max(1_000_000, askTimeout.toNanos() - (System.nanoTime() - started)));
          return services.any()
              .map(service -> AskPattern.ask(service, request::apply, left, system.scheduler()))
              .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException(
                  "no DCloud gateway is reachable from this client now")));
        });
  }
}
